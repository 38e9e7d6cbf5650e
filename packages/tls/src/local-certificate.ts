// A certificate for trying HTTPS on one machine (`npm start -- --tls`) and for the tests: a local CA
// of its own and a server certificate it signs for the given host names and addresses. Made with the
// openssl command (Debian's openssl package; .ci/run installs it). Never for production: there the
// certificate comes from the organisation's CA or ACME (docs/deployment.md).
import { spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';

export interface LocalCertificate {
  /** the local CA's certificate: what a client trusts (NODE_EXTRA_CA_CERTS, or `ca` in tls options) */
  caFile: string;
  certFile: string;
  keyFile: string;
}

function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`openssl is needed to make a local certificate (Debian: apt-get install openssl): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Still good for a day, for exactly these names? Then it is kept (the browser's trust stays). */
function stillGood(certFile: string, names: string[]): boolean {
  if (!existsSync(certFile)) return false;
  const cert = new X509Certificate(readFileSync(certFile));
  if (new Date(cert.validTo).getTime() < Date.now() + 86_400_000) return false;
  return names.every((name) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined);
}

/** The CA and server certificate in `dir` (made when missing, expiring or for other names). */
export function localCertificate(dir: string, names: string[] = ['localhost', '127.0.0.1']): LocalCertificate {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  const certFile = path.join(dir, 'server.pem');
  const keyFile = path.join(dir, 'server.key');
  if (!stillGood(caFile, [])) {
    openssl(['req', '-x509', ...EC, '-days', '365', '-keyout', caKey, '-out', caFile, '-subj', '/CN=Clinicult local development CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }
  if (!stillGood(certFile, names) || !new X509Certificate(readFileSync(certFile)).checkIssued(new X509Certificate(readFileSync(caFile)))) {
    const csr = path.join(dir, 'server.csr');
    const ext = path.join(dir, 'server.ext');
    const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n`);
    openssl(['req', ...EC, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${names[0]}`]);
    openssl(['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '30', '-out', certFile, '-extfile', ext]);
  }
  return { caFile, certFile, keyFile };
}
