// Verifies one webhook call with the Standard Webhooks library's own Webhook.verify and prints the payload.
//   node verify.mjs SECRET HEADERS.json BODY_FILE
import fs from 'node:fs';
import { Webhook } from 'standardwebhooks';

const [secret, headersFile, bodyFile] = process.argv.slice(2);
const headers = JSON.parse(fs.readFileSync(headersFile, 'utf8'));
const body = fs.readFileSync(bodyFile, 'utf8');
// A whsec_ secret is base64 (the library strips the prefix); any other text is the key's raw bytes.
const wh = secret.startsWith('whsec_') ? new Webhook(secret) : new Webhook(secret, { format: 'raw' });
try {
  console.log(JSON.stringify(wh.verify(body, headers)));
} catch (e) {
  console.error(`standardwebhooks refused the call: ${e.message}`);
  process.exit(1);
}
