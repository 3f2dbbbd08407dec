// Compile chain/contracts/*.sol with the pinned solc-js (standard JSON) into
// chain/artifacts/<Contract>.json (abi + creation and runtime bytecode). Imports such as
// "@openzeppelin/contracts/..." resolve from node_modules (the versions package-lock.json
// pins); only contracts/ gets artifacts.
//
//   node compile.mjs          write the artifacts
//   node compile.mjs --check  exit 1 if recompiling would change any artifact
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const solc = require('solc');

const ROOT = dirname(fileURLToPath(import.meta.url));
const NODE_MODULES = join(ROOT, 'node_modules');
const SOURCES = join(ROOT, 'contracts');
const ARTIFACTS = join(ROOT, 'artifacts');
const PINNED = '0.8.37';
// py-evm (eth-tester's backend) runs Prague; solc 0.8.37 would target a newer fork by default.
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'prague',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

function compile() {
  const version = solc.version();
  if (!version.startsWith(`${PINNED}+`)) {
    throw new Error(`solc ${version} found, ${PINNED} pinned: run "npm ci" in chain/`);
  }
  const sources = {};
  for (const file of readdirSync(SOURCES)
    .filter((f) => f.endsWith('.sol'))
    .sort()) {
    sources[`contracts/${file}`] = { content: readFileSync(join(SOURCES, file), 'utf8') };
  }
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  for (const e of output.errors ?? []) console.error(e.formattedMessage);
  if (errors.length) throw new Error(`${errors.length} compile error(s)`);
  return artifacts(output, version);
}

// Resolve an import path ("@openzeppelin/contracts/...") inside node_modules only.
function findImport(path) {
  const file = join(NODE_MODULES, path);
  if (path.includes('..') || !file.startsWith(`${NODE_MODULES}/`) || !existsSync(file)) {
    return { error: `${path} not found in chain/node_modules: run "npm ci" in chain/` };
  }
  return { contents: readFileSync(file, 'utf8') };
}

function artifacts(output, version) {
  const result = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts)) {
    if (!sourceName.startsWith('contracts/')) continue; // libraries come from node_modules
    for (const [contractName, c] of Object.entries(contracts)) {
      if (!c.evm.bytecode.object) continue; // interfaces have no code
      const artifact = {
        contractName,
        sourceName,
        compiler: { version, settings: { optimizer: SETTINGS.optimizer, evmVersion: SETTINGS.evmVersion } },
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      };
      result[`${contractName}.json`] = `${JSON.stringify(artifact, null, 2)}\n`;
    }
  }
  return result;
}

function main() {
  const check = process.argv.includes('--check');
  let built;
  try {
    built = compile();
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  if (!check) {
    mkdirSync(ARTIFACTS, { recursive: true });
    for (const [name, text] of Object.entries(built)) writeFileSync(join(ARTIFACTS, name), text);
    console.log(`wrote ${Object.keys(built).join(', ')} to ${ARTIFACTS}`);
    return;
  }
  const stale = [];
  for (const [name, text] of Object.entries(built)) {
    const path = join(ARTIFACTS, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(name);
  }
  const committed = existsSync(ARTIFACTS) ? readdirSync(ARTIFACTS).filter((f) => f.endsWith('.json')) : [];
  for (const name of committed) if (!(name in built)) stale.push(`${name} (no source)`);
  if (stale.length) {
    console.error(`artifacts out of date: ${stale.join(', ')}; run "node chain/compile.mjs"`);
    process.exit(1);
  }
  console.log(`artifacts match a fresh compile (${Object.keys(built).length} contracts)`);
}

main();
