/**
 * A progress bar for long runs on a stream (stderr): on a terminal one line that updates in
 * place, elsewhere (a log, CI) a line at every tenth of the way and at the end.
 *
 * @example
 * ```ts
 * const progress = progressBar(process.stderr, 'runs');
 * await runBench(plan, { onProgress: progress.update });
 * progress.end();
 * ```
 */
export function progressBar(
  stream: { isTTY?: boolean; write(s: string): unknown },
  unit: string,
): { update: (done: number, total: number) => void; end: () => void } {
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total) {
      const share = total > 0 ? done / total : 1;
      if (stream.isTTY) {
        const filled = Math.floor(share * 25);
        stream.write(`\r  ${'█'.repeat(filled).padEnd(25, '░')} ${done}/${total} ${unit} ${Math.floor(share * 100)}%`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(share * 10);
      if (tenth > lastTenth || done === total) stream.write(`  ${done}/${total} ${unit} (${Math.floor(share * 100)}%)\n`);
      lastTenth = tenth;
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
