/** `npm run docs:admin-api`: writes the admin API's OpenAPI document to docs/admin-api.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { adminOpenApiText } from '../core/admin/openapi';

const root = resolve(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string };
const target = resolve(root, 'docs', 'admin-api.json');
writeFileSync(target, adminOpenApiText(version));
process.stdout.write(`wrote ${target}\n`);
