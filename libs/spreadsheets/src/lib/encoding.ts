import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';

export const TEXT_ENCODINGS = ['utf-8', 'gb18030', 'utf-16le', 'utf-16be'] as const;
export type TextEncodingName = (typeof TEXT_ENCODINGS)[number];

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A CSV's text. A BOM decides (UTF-8, UTF-16 LE or BE, GB18030's own); without one, bytes that are
 * valid UTF-8 are UTF-8 and anything else is GB18030 (what Excel saves as "CSV" on a Chinese
 * Windows). A declared encoding overrides the guess, never a BOM.
 */
export function decodeText(bytes: Buffer, declared?: TextEncodingName): { text: string; encoding: TextEncodingName } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  if (bytes[0] === 0x84 && bytes[1] === 0x31 && bytes[2] === 0x95 && bytes[3] === 0x33)
    return { text: iconv.decode(bytes.subarray(4), 'gb18030'), encoding: 'gb18030' };
  if (declared) return { text: iconv.decode(bytes, declared), encoding: declared };
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
  }
}

/** Text in an encoding, for CSV templates and tests (GB18030 for Excel on a Chinese Windows). */
export function encodeText(text: string, encoding: TextEncodingName, bom = encoding === 'utf-8'): Buffer {
  const body = iconv.encode(text, encoding);
  return bom && encoding === 'utf-8' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

/**
 * A CSV's encoding from its first bytes, for reading it as a stream: a BOM decides; a declared
 * encoding overrides the guess; otherwise bytes that are valid UTF-8 (the whole file when it is in
 * memory, its beginning when it is streamed from disk) are UTF-8 and anything else is GB18030.
 */
export function detectEncoding(
  source: Buffer | { path: string },
  start: Buffer,
  declared?: TextEncodingName,
): { encoding: TextEncodingName; bomLength: number; guessed: boolean; sample: string } {
  const found = ((): { encoding: TextEncodingName; bomLength: number; guessed: boolean } => {
    if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3, guessed: false };
    if (start[0] === 0xff && start[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2, guessed: false };
    if (start[0] === 0xfe && start[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2, guessed: false };
    if (start[0] === 0x84 && start[1] === 0x31 && start[2] === 0x95 && start[3] === 0x33)
      return { encoding: 'gb18030', bomLength: 4, guessed: false };
    if (declared) return { encoding: declared, bomLength: 0, guessed: false };
    if (Buffer.isBuffer(source)) return { encoding: isUtf8(source) ? 'utf-8' : 'gb18030', bomLength: 0, guessed: false };
    try {
      // stream: a character cut at the end of the sample is not an error.
      new TextDecoder('utf-8', { fatal: true }).decode(start, { stream: true });
      return { encoding: 'utf-8', bomLength: 0, guessed: true };
    } catch {
      return { encoding: 'gb18030', bomLength: 0, guessed: true };
    }
  })();
  return { ...found, sample: iconv.decode(start.subarray(found.bomLength), found.encoding) };
}

/** Bytes to text as they stream; `replaced()` says whether a byte sequence was not valid in the encoding (UTF-8 only). */
export function decodingStream(encoding: TextEncodingName): { stream: NodeJS.ReadWriteStream; replaced: () => boolean } {
  const stream = iconv.decodeStream(encoding, { stripBOM: false });
  let replaced = false;
  if (encoding === 'utf-8') stream.on('data', (chunk: string) => (replaced ||= chunk.includes('\ufffd')));
  return { stream, replaced: () => replaced };
}
