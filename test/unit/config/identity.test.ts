import { describe, expect, it } from 'vitest';
import { loadText } from '../../../src/config/index.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2xTZXN0\n-----END CERTIFICATE-----\n';

function state(text: string, name: string) {
  const r = loadText(text, { env: {}, name });
  if (!r.state) throw new Error(JSON.stringify(r.issues));
  return r.state;
}

describe('entity identity', () => {
  it('derives the same ids from the same natural keys, whatever the file or position', () => {
    const a = state(`_format_version: "3.0"\nservices:\n  - name: s\n    url: http://x\n    routes: [{ name: r, paths: [/r] }]\n`, 'a.yaml');
    const b = state(`_format_version: "3.0"\nroutes:\n  - name: r\n    paths: [/r]\n    service: { name: s }\nservices:\n  - name: s\n    url: http://x\n`, 'b.yaml');
    expect(b).toEqual(a);
  });

  it('identifies a CA certificate without id by its PEM, not by where it is written', () => {
    const one = state(`_format_version: "3.0"\nca_certificates:\n  - cert: |\n${PEM.split('\n').map((l) => `      ${l}`).join('\n')}\n`, 'one.yaml');
    const two = state(`_format_version: "3.0"\nservices:\n  - name: s\n    url: http://x\nca_certificates:\n  - tags: [moved]\n    cert: |\n${PEM.split('\n').map((l) => `      ${l}`).join('\n')}\n`, 'two.yaml');
    expect(two.entities.ca_certificates[0].id).toBe(one.entities.ca_certificates[0].id);
  });

  it('keeps an explicit id', () => {
    const id = '0e9c1f5a-0b55-4f38-8d3b-4c5b2d1b7a11';
    const s = state(`_format_version: "3.0"\nservices:\n  - name: s\n    id: ${id}\n    url: http://x\n`, 'c.yaml');
    expect(s.entities.services[0].id).toBe(id);
  });
});
