import { generateKeyPairSync } from 'node:crypto';

/** A fresh key pair as Lightning would hand it over: PEM text, and its base64 for the env var. */
export function testKeys(): { publicPem: string; publicBase64: string; privateBase64: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    publicPem,
    publicBase64: Buffer.from(publicPem).toString('base64'),
    privateBase64: Buffer.from(privatePem).toString('base64'),
  };
}
