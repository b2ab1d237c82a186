// bench/run export, the baseline: the npm package whatsapp-chat-parser on the same file.
//   node bench/export/parse.mjs FILE NPM_PREFIX
// Prints {"messages", "system", "seconds", "version", "runtime"}. Timed like the Pasar
// side, from reading the file to the last message; its API takes the whole text as one
// string, so the file is read whole first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, prefix] = process.argv.slice(2);
const pkg = join(prefix, 'node_modules', 'whatsapp-chat-parser');
const { parseString } = await import(pathToFileURL(join(pkg, 'dist', 'index.js')).href);
const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));

const start = process.hrtime.bigint();
const text = readFileSync(file, 'utf8');
// Attachments on, as Pasar always reads them; the day/month order detected, as Pasar does.
const messages = parseString(text, { parseAttachments: true });
const seconds = Number(process.hrtime.bigint() - start) / 1e9;

let system = 0;
for (const m of messages) if (m.author === null) system += 1;
console.log(JSON.stringify({ messages: messages.length, system, seconds, version, runtime: `node ${process.version}` }));
