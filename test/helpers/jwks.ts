import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/** A real issuer: an RS256 key pair, its public half served as a JWKS over HTTP, and tokens signed with it. */
export interface Issuer {
  /** The JWKS URL. */
  url: string;
  /** How many times the key set was fetched. */
  readonly fetches: number;
  /** A token signed with the issuer's key (`exp` in seconds from now; negative = already expired). */
  sign(claims: JWTPayload, o?: { issuer?: string; audience?: string; expiresIn?: number; key?: CryptoKey; kid?: string }): Promise<string>;
  /** Another RS256 private key, unknown to the JWKS (a forger's). */
  foreignKey(): Promise<CryptoKey>;
  close(): Promise<void>;
}

export const ISSUER = 'https://id.example.test/';
export const AUDIENCE = 'jobspikr-graphql';
const KID = 'test-key-1';

export async function startIssuer(): Promise<Issuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get fetches() {
      return fetches;
    },
    async sign(claims, o = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: o.kid ?? KID })
        .setIssuer(o.issuer ?? ISSUER)
        .setAudience(o.audience ?? AUDIENCE)
        .setIssuedAt(now - 60)
        .setExpirationTime(now + (o.expiresIn ?? 300))
        .sign(o.key ?? privateKey);
    },
    async foreignKey() {
      return (await generateKeyPair('RS256')).privateKey;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An unsecured JWT (`alg: none`, no signature) with the given claims. */
export function unsignedToken(claims: JWTPayload): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}
