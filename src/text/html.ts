/**
 * Text made safe to put in HTML, in element content and in quoted attributes alike: the one
 * escape the HTML reports share (bench report, learning report, dashboard).
 *
 * @example
 * ```ts
 * escapeHtml('a < "b"'); // 'a &lt; &quot;b&quot;'
 * ```
 */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
