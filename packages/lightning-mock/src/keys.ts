import { generateKeyPairSync } from 'node:crypto';

export interface RunKeyPair {
  /** PEM (SPKI); a worker takes it base64-encoded. */
  publicKey: string;
  /** PEM (PKCS#8); pass as `runPrivateKey`. */
  privateKey: string;
}

/** A fresh RSA pair for RS256 run tokens, for tests and demos that verify them. */
export function generateRunKeys(): RunKeyPair {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
