/**
 * Small helpers for output a person enjoys reading: colours (off without a TTY or with NO_COLOR),
 * numbers, rates, durations, headings. Below src/cli so that library code (bench tables, analysis
 * text) can format without importing the command line.
 *
 * @example
 * ```ts
 * console.log(heading("Summary"), int(1234567), rate(2.5e6), ms(1520)); // … 1,234,567 2.50 M/s 1.52 s
 * ```
 */

const tty = process.stdout.isTTY === true && !process.env.NO_COLOR;
const wrap = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);

export const bold = wrap('1');
export const dim = wrap('2');
export const green = wrap('32');
export const red = wrap('31');
export const yellow = wrap('33');
export const cyan = wrap('36');

/** 1234567 → "1,234,567". */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * A count and its noun, singular for one: `1 agent`, `5 agents`, `1,200 workers`.
 *
 * @example
 * ```ts
 * count(1, 'agent'); // '1 agent'
 * count(3, 'worker'); // '3 workers'
 * count(2, 'fault entry', 'fault entries'); // '2 fault entries'
 * ```
 */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${int(n)} ${n === 1 ? noun : plural}`;
}

/** A rate with a unit that fits: "1.23 M/s", "456 k/s", "78/s". */
export function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(0)} k/s`;
  return `${perSecond.toFixed(0)}/s`;
}

/** Milliseconds, human-sized. */
export function ms(n: number): string {
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  return `${n.toFixed(n < 10 ? 2 : 0)} ms`;
}

/**
 * Prose cut at spaces into lines that fit `width` columns once indented by `indent` (a word
 * longer than that keeps its own line): a report's notes ran to 300 columns.
 *
 * @example
 * ```ts
 * wrapText('a b c', 5, 2); // ['a b', 'c']
 * ```
 */
export function wrapText(text: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** A section heading. */
export function heading(title: string): string {
  return `\n${bold(title)}\n${dim('─'.repeat(Math.min(72, title.length + 8)))}`;
}
