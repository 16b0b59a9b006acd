/**
 * Base64 as Consul writes KV values (Go's `base64.StdEncoding`: the standard alphabet, padded), checked strictly so a
 * value that is not base64 is an issue rather than bytes silently dropped by a lenient decoder.
 */
import { z } from 'zod';

const standardBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The largest KV value Consul accepts (`kv_max_value_size`, 512 KiB); the catalog refuses larger ones with 413. */
export const catalogValueMaxBytes = 512 * 1024;

/** Chunks of bytes turned into one string at a time: `String.fromCharCode` takes its arguments on the stack. */
const chunkBytes = 0x8000;

/** Standard padded base64 of the bytes; `btoa`/`atob` keep the contract free of Node's Buffer (it runs in browsers). */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += chunkBytes)
    binary += String.fromCharCode(...bytes.subarray(at, at + chunkBytes));
  return btoa(binary);
}

/** The bytes of a base64 string already checked against `standardBase64`. */
function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let at = 0; at < binary.length; at += 1) bytes[at] = binary.charCodeAt(at);
  return bytes;
}

/** A padded standard-base64 string decoded to its bytes (at most `catalogValueMaxBytes`). */
export const base64Value = z
  .string()
  .superRefine((text, context) => {
    // Checked on the text, before decoding: a huge value costs no allocation to refuse.
    const sizeBytes = Math.floor((text.length * 3) / 4) - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0);
    if (sizeBytes > catalogValueMaxBytes)
      context.addIssue({
        code: 'custom',
        message: `is ${sizeBytes} bytes once decoded, over the ${catalogValueMaxBytes} a value may have`,
      });
    else if (!standardBase64.test(text))
      context.addIssue({ code: 'custom', message: 'must be standard base64 (A–Z, a–z, 0–9, +, /, padded with =)' });
  })
  .transform(decodeBase64);
