/**
 * Certificates of the tier's external listeners, made with the `openssl` command line: per region a cluster CA (as
 * the operator's `<cluster>-cluster-ca-cert`) and per broker node a certificate signed by it with the SANs Strimzi
 * puts on it (kafka-tier/src/strimzi.ts brokerCertSans), PEM, key unencrypted PKCS#8, as Kafka's PEM keystore reads it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface Pem { cert: string; key: string }

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (e: any) {
    if (e.code === 'ENOENT') throw new Error('the Kafka tier needs the openssl command to make the external listeners\' certificates (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** A self-signed CA (CN cluster-ca v<n>, O io.strimzi, as the operator names it), valid for a day. */
export function makeCa(dir: string, cn = 'cluster-ca v0'): Pem {
  fs.mkdirSync(dir, { recursive: true });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', `/O=io.strimzi/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { cert: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'), key: fs.readFileSync(path.join(dir, 'ca.key'), 'utf8') };
}

/** A server certificate `<name>.crt` / `<name>.key` signed by the CA in `caDir`, with exactly these SANs. */
export function makeServerCert(dir: string, caDir: string, name: string, cn: string, sans: { dns: string[]; ip: string[] }): Pem {
  fs.mkdirSync(dir, { recursive: true });
  const san = [...sans.dns.map((d) => `DNS:${d}`), ...sans.ip.map((i) => `IP:${i}`)].join(',');
  fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`);
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/O=io.strimzi/CN=${cn}`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', path.join(caDir, 'ca.crt'), '-CAkey', path.join(caDir, 'ca.key'), '-set_serial', String(Date.now()),
    '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`], dir);
  // the chain the broker presents: its own certificate, then the CA's
  const cert = fs.readFileSync(path.join(dir, `${name}.crt`), 'utf8') + fs.readFileSync(path.join(caDir, 'ca.crt'), 'utf8');
  return { cert, key: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8') };
}
