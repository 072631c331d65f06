/**
 * Kept asset bodies as a bundle carries them (`assetBodies`: base64, keyed by their hex sha-256): hashing and the
 * checked decode. Shared by the extension's import and the team server's upload intake (crypto.subtle and atob
 * exist in both); never bundled into the page.
 */
import type { BundleAssetBody } from '../../../schema';
import { base64ToBytes } from './base64';

/** The hex sha-256 of a body: its key in the store (the same file is stored once). */
export async function hashAsset(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

export interface DecodedAssetBody {
  contentType: string;
  data: Uint8Array;
}

/** A bundle's asset bodies decoded, each checked against its hash; throws an Error naming the first bad one. */
export async function decodeAssetBodies(bodies: readonly BundleAssetBody[] | undefined): Promise<Map<string, DecodedAssetBody>> {
  const decoded = new Map<string, DecodedAssetBody>();
  for (const [i, body] of (bodies ?? []).entries()) {
    const data = base64ToBytes(body.data);
    if ((await hashAsset(data)) !== body.hash) throw new Error(`assetBodies[${i}]: its bytes do not have the sha-256 ${body.hash}`);
    decoded.set(body.hash, { contentType: body.contentType, data });
  }
  return decoded;
}
