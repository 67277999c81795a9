/**
 * The lines a terminal shows for `output` once it has drawn it all: `\r` returns to the line's start,
 * ESC[K erases to its end, `\n` starts a new line (a pty's `\r\n` as well). Trailing spaces are dropped.
 * For tests of progress bars: what is left on screen, not every redraw.
 */
export function terminalScreen(output: string): string[] {
  const lines: string[] = [];
  let line = '';
  let col = 0;
  for (let i = 0; i < output.length; i++) {
    const ch = output[i] as string;
    if (output.startsWith('\x1b[K', i)) {
      line = line.slice(0, col);
      i += 2;
    } else if (ch === '\r') col = 0;
    else if (ch === '\n') {
      lines.push(line.trimEnd());
      line = '';
      col = 0;
    } else {
      line = line.slice(0, col).padEnd(col) + ch + line.slice(col + 1);
      col++;
    }
  }
  lines.push(line.trimEnd());
  return lines;
}
