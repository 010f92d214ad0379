// Check Cypher files with Neo4j's own parser (@neo4j-cypher/language-support, pinned in
// package.json). Usage: node tests/cypher_lint.mjs FILE... ; prints one JSON line per file:
// {"file", "statements", "errors": [{"line", "column", "message"}]}. Parameters ($x) are
// supplied at run time, so "Parameter $x is not defined" diagnostics are ignored.
import { readFileSync } from 'node:fs';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const result = lintCypherQuery(text, {});
  const errors = (result.diagnostics || [])
    .filter((d) => !/^Parameter \$\w+ is not defined/.test(d.message))
    .map((d) => ({ line: d.range.start.line + 1, column: d.range.start.character + 1,
                   message: d.message, severity: d.severity }));
  const statements = text.split(/;\s*(?:\n|$)/).filter((s) => s.replace(/\/\/.*$/gm, '').trim()).length;
  console.log(JSON.stringify({ file, statements, errors }));
}
