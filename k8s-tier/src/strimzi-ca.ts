/**
 * Real certificate authorities for the Strimzi stand-in, made with the openssl CLI the way Strimzi's
 * OpenSslCertIssuer makes them: a self-signed RSA 4096 CA certificate (CA:true, pathlen:0, keyCertSign + cRLSign),
 * its key in PKCS#8 PEM, and a PKCS12 truststore holding the certificate under the alias `ca.crt`.
 */
import { execFile } from 'child_process';
import { mkdtemp, readFile, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';

export interface CaCertAndKey {
  certPem: string;
  keyPem: string;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, [...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${command} ${args[0]} failed: ${stderr || error.message}`));
      else done(stdout + stderr);
    });
  });
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'strimzi-stand-in-ca-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The x509v3 extensions OpenSslCertIssuer.generateCaCert gives a root CA (pathLength 0 for a self-signed one). */
const CA_EXTENSIONS = ['-addext', 'basicConstraints=critical,CA:true,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];

/** A new key pair and self-signed CA certificate (InternalCa CREATE). `subject` is in openssl's /O=.../CN=... form. */
export function generateCa(subject: string, validityDays: number): Promise<CaCertAndKey> {
  return inTempDir(async (dir) => {
    const key = join(dir, 'ca.key');
    const cert = join(dir, 'ca.crt');
    // `req -newkey ... -nodes` writes the key in PKCS#8 ("BEGIN PRIVATE KEY"), as Strimzi stores it after `openssl pkcs8 -topk8`.
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:4096', '-nodes', '-keyout', key, '-out', cert, '-days', String(validityDays), '-subj', subject, ...CA_EXTENSIONS]);
    return { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') };
  });
}

/** A new self-signed CA certificate for an existing key (InternalCa RENEW_CERT). */
export function renewCaCert(keyPem: string, subject: string, validityDays: number): Promise<string> {
  return inTempDir(async (dir) => {
    const key = join(dir, 'ca.key');
    const cert = join(dir, 'ca.crt');
    await writeFile(key, keyPem, { mode: 0o600 });
    await run('openssl', ['req', '-x509', '-new', '-key', key, '-out', cert, '-days', String(validityDays), '-subj', subject, ...CA_EXTENSIONS]);
    return readFile(cert, 'utf8');
  });
}

type StoreMaker = 'openssl-jdktrust' | 'keytool' | 'openssl';
let storeMaker: Promise<StoreMaker> | undefined;

/**
 * How to write a truststore Java reads as Strimzi's (a KeyStore TrustedCertificateEntry): openssl >= 3.2 can mark the
 * certificate trusted for Java (-jdktrust); else Java's own keytool; else a plain openssl store, which Java loads
 * with no entries (nothing in the stand-in's tier reads it: no container runs).
 */
function chooseStoreMaker(): Promise<StoreMaker> {
  storeMaker ??= (async () => {
    const help = await run('openssl', ['pkcs12', '-help']).catch((e: Error) => e.message);
    if (help.includes('-jdktrust')) return 'openssl-jdktrust';
    const keytool = await run('keytool', ['-help']).then(() => true, () => false);
    return keytool ? 'keytool' : 'openssl';
  })();
  return storeMaker;
}

/** A PKCS12 truststore with `certPem` under `alias`, protected by `password` (InternalCa.addCertCaToTrustStore). */
export function truststore(certPem: string, alias: string, password: string): Promise<Buffer> {
  return inTempDir(async (dir) => {
    const cert = join(dir, 'ca.crt');
    const store = join(dir, 'ca.p12');
    await writeFile(cert, certPem);
    const maker = await chooseStoreMaker();
    if (maker === 'keytool') {
      await run('keytool', ['-importcert', '-noprompt', '-alias', alias, '-file', cert, '-keystore', store, '-storetype', 'PKCS12', '-storepass', password]);
    } else {
      const trust = maker === 'openssl-jdktrust' ? ['-jdktrust', 'anyExtendedKeyUsage'] : [];
      await run('openssl', ['pkcs12', '-export', '-nokeys', '-in', cert, '-out', store, '-passout', `pass:${password}`, '-caname', alias, ...trust]);
    }
    return readFile(store);
  });
}
