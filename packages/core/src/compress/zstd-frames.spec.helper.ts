/**
 * A zstd frame built by hand: a header with the given window, then RLE blocks of 128 KiB of spaces. For
 * tests of frames no compressor writes (a 2 GiB window from a few bytes).
 */
export function zstdFrameOf(frame: { windowDescriptor?: number; singleSegmentSize?: number; rleBlocks: number; checksum?: boolean }): Buffer {
  const bytes = [0x28, 0xb5, 0x2f, 0xfd];
  const checksum = frame.checksum ? 0x04 : 0;
  if (frame.singleSegmentSize !== undefined) {
    // Single segment, an 8-byte content size: the window is the content size.
    bytes.push((3 << 6) | 0x20 | checksum);
    let size = frame.singleSegmentSize;
    for (let i = 0; i < 8; i++) {
      bytes.push(size % 256);
      size = Math.floor(size / 256);
    }
  } else {
    bytes.push(checksum, frame.windowDescriptor ?? 0);
  }
  for (let i = 0; i < frame.rleBlocks; i++) {
    const header = (i === frame.rleBlocks - 1 ? 1 : 0) | (1 << 1) | (128 * 1024 * 8);
    bytes.push(header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x20);
  }
  if (frame.checksum) bytes.push(0, 0, 0, 0);
  return Buffer.from(bytes);
}
