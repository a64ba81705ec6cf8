/**
 * The house rules of src/, checked by `npm run lint:deps` (part of `npm test`).
 * Layers from top to bottom; a layer imports only the layers below it (see ARCHITECTURE.md).
 * The three sides (issuing, verifying, wallet) share a layer and never import each other.
 */
const LAYERS = [
  {
    name: 'cli',
    path: '^src/(cli/|main\\.ts$)',
    mayImport: [
      'app',
      'http',
      'cases',
      'accounts',
      'feedback',
      'issuing',
      'verifying',
      'wallet',
      'agent',
      'catalog',
      'chain',
      'store',
      'config',
      'shared',
    ],
  },
  {
    name: 'app',
    path: '^src/app/',
    mayImport: [
      'http',
      'cases',
      'accounts',
      'feedback',
      'issuing',
      'verifying',
      'wallet',
      'agent',
      'catalog',
      'chain',
      'store',
      'config',
      'shared',
    ],
  },
  {
    name: 'http',
    path: '^src/http/',
    mayImport: ['cases', 'accounts', 'feedback', 'issuing', 'verifying', 'agent', 'catalog', 'chain', 'store', 'config', 'shared'],
  },
  // One-stop cases: an applicant's run through several departments' rules; above the sides, which it composes.
  { name: 'cases', path: '^src/cases/', mayImport: ['issuing', 'verifying', 'catalog', 'store', 'config', 'shared'] },
  // Portal accounts and the platform operator's keys: between the web edge and the sides, built on the store alone.
  { name: 'accounts', path: '^src/accounts/', mayImport: ['store', 'config', 'shared'] },
  // The portal's feedback box: beside accounts, built on the store alone.
  { name: 'feedback', path: '^src/feedback/', mayImport: ['store', 'config', 'shared'] },
  { name: 'issuing', path: '^src/issuing/', mayImport: ['agent', 'catalog', 'chain', 'store', 'config', 'shared'] },
  { name: 'verifying', path: '^src/verifying/', mayImport: ['catalog', 'chain', 'store', 'config', 'shared'] },
  { name: 'wallet', path: '^src/wallet/', mayImport: ['catalog', 'shared'] },
  { name: 'agent', path: '^src/agent/', mayImport: ['chain', 'store', 'config', 'shared'] },
  { name: 'catalog', path: '^src/catalog/', mayImport: ['shared'] },
  { name: 'chain', path: '^src/chain/', mayImport: ['store', 'config', 'shared'] },
  { name: 'store', path: '^src/store/', mayImport: ['shared'] },
  { name: 'config', path: '^src/config/', mayImport: ['shared'] },
  { name: 'shared', path: '^src/shared/', mayImport: [] },
]

const pathOf = (name) => LAYERS.find((layer) => layer.name === name).path

const layerRules = LAYERS.map((layer) => ({
  name: `${layer.name}-imports-only-down`,
  comment: `src/${layer.name} may import only ${layer.mayImport.length ? layer.mayImport.join(', ') : 'libraries'} (and itself): see ARCHITECTURE.md, "Layers"`,
  severity: 'error',
  from: { path: layer.path },
  to: { path: '^src/', pathNot: [layer.path, ...layer.mayImport.map(pathOf)] },
}))

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-cycles',
      comment: 'an import cycle makes two modules one: move what both need into a lower module',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'interop-tests-import-no-project-code',
      comment: 'test/interop talks to govcred only over HTTP and the chain, as a stock implementation would',
      severity: 'error',
      from: { path: '^test/interop/' },
      to: { path: '^(src|test/(?!interop/))' },
    },
    {
      name: 'portal-imports-no-server-code',
      comment: 'portal/ is the browser app: it talks to the service over HTTP only (src/ is Node code and holds secrets)',
      severity: 'error',
      from: { path: '^portal/' },
      to: { path: '^(src|test|scripts|bench|examples)/' },
    },
    {
      name: 'server-imports-no-portal-code',
      comment: 'src/ serves the built portal (dist/portal) as files; it never imports the browser app',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^portal/' },
    },
    {
      name: 'no-unresolvable',
      comment: 'an import that does not resolve is a typo or a missing dependency',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|build|data)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
}
