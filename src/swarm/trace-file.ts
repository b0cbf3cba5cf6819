import { closeSync, openSync, writeSync } from 'node:fs';
import type { TraceEvent } from '../actors/trace-event.ts';
import { ConfigError } from '../errors.ts';
import { canonicalLine } from '../scheduler/trace-recorder.ts';

/** Lines are written in chunks of about this many characters. */
const CHUNK = 1 << 20;

/**
 * A trace written to a file as canonical JSON lines (so its sha256 is the run's traceHash).
 * Opened at once, so a bad path is an error before the run rather than a crash after it, and
 * written synchronously in 1 MB chunks: a sim run never yields to the event loop, and buffering
 * a stream's writes until it does would hold the whole trace in memory.
 *
 * @example
 * ```ts
 * const file = new TraceFile('run.jsonl');
 * system.trace$.subscribe((e) => file.write(e));
 * // ... file.close();
 * ```
 */
export class TraceFile {
  private readonly fd: number;
  private chunk: string[] = [];
  private size = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new ConfigError('--trace', `a file that can be written (${(e as Error).message})`, path);
    }
  }

  write(event: TraceEvent): void {
    const line = `${canonicalLine(event)}\n`;
    this.chunk.push(line);
    this.size += line.length;
    if (this.size >= CHUNK) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    writeSync(this.fd, this.chunk.join(''));
    this.chunk = [];
    this.size = 0;
  }
}
