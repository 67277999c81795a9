/**
 * libzstd decodes no frame whose window is larger than 128 MiB unless told to (ZSTD_d_windowLogMax's
 * default), so neither does dnf. fzstd has no such limit: it allocates the window a frame header asks for
 * (up to 2 GiB) and moves all of it for every block, so a header of a few bytes costs gigabytes of memory
 * and minutes of work. This walks the frames of a zstd stream as it passes, by their headers and block
 * headers only, and refuses a frame asking for more before the decoder sees it.
 */
export const MAX_ZSTD_WINDOW = 128 << 20;

type State = 'magic' | 'skippable' | 'descriptor' | 'header' | 'block' | 'off';

export class ZstdFrameCheck {
  private state: State = 'magic';
  private readonly head: number[] = [];
  private need = 4;
  private skip = 0;
  private descriptor = 0;

  constructor(private readonly tooLarge: (window: number) => Error) {}

  /** Follows `chunk`; throws `tooLarge(window)` at a frame header asking for a window over MAX_ZSTD_WINDOW. */
  check(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.state !== 'off') {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      while (this.head.length < this.need && i < chunk.length) this.head.push(chunk[i++] ?? 0);
      if (this.head.length < this.need) return;
      const bytes = this.head.splice(0);
      this.step(bytes);
    }
  }

  private expect(state: State, bytes: number): void {
    this.state = state;
    this.need = bytes;
  }

  private step(bytes: number[]): void {
    const b = (i: number) => bytes[i] ?? 0;
    switch (this.state) {
      case 'magic':
        if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) this.expect('descriptor', 1);
        else if ((b(0) & 0xf0) === 0x50 && b(1) === 0x2a && b(2) === 0x4d && b(3) === 0x18) this.expect('skippable', 4);
        // Not zstd: the decoder says so in its own words.
        else this.state = 'off';
        return;
      case 'skippable':
        this.skip = littleEndian(bytes);
        this.expect('magic', 4);
        return;
      case 'descriptor': {
        this.descriptor = b(0);
        const single = (this.descriptor & 0x20) !== 0;
        this.expect('header', (single ? 0 : 1) + dictionaryIdBytes(this.descriptor) + contentSizeBytes(this.descriptor));
        return;
      }
      case 'header': {
        const single = (this.descriptor & 0x20) !== 0;
        let window: number;
        if (single) {
          // The window is the whole content: its size is the last field of the header.
          const size = contentSizeBytes(this.descriptor);
          window = littleEndian(bytes.slice(bytes.length - size)) + (size === 2 ? 256 : 0);
        } else {
          const base = 2 ** (10 + (b(0) >> 3));
          window = base + (base / 8) * (b(0) & 7);
        }
        if (window > MAX_ZSTD_WINDOW) throw this.tooLarge(window);
        this.expect('block', 3);
        return;
      }
      case 'block': {
        const header = b(0) | (b(1) << 8) | (b(2) << 16);
        const type = (header >> 1) & 3;
        if (type === 3) {
          this.state = 'off';
          return;
        }
        this.skip = type === 1 ? 1 : header >>> 3;
        if (header & 1) {
          if (this.descriptor & 0x04) this.skip += 4;
          this.expect('magic', 4);
        }
        return;
      }
      case 'off':
        return;
    }
  }
}

function dictionaryIdBytes(descriptor: number): number {
  return [0, 1, 2, 4][descriptor & 3] ?? 0;
}

function contentSizeBytes(descriptor: number): number {
  const flag = descriptor >> 6;
  return flag === 0 ? ((descriptor & 0x20) !== 0 ? 1 : 0) : 1 << flag;
}

/** An unsigned little-endian number (up to 8 bytes, as a double: exact enough to compare with a limit). */
function littleEndian(bytes: readonly number[]): number {
  let n = 0;
  for (let i = bytes.length - 1; i >= 0; i--) n = n * 256 + (bytes[i] ?? 0);
  return n;
}
