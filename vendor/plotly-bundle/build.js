// Bundles entry.js (plotly.js core with the bar and scattergeo traces; scatter is always in)
// into one minified script that sets window.Plotly, the way plotly.js's own esbuild config
// builds its dist bundles (esbuild-config.js in the package). Run by `make vendor-plotly`.
const path = require("path");
const { environmentPlugin } = require("esbuild-plugin-environment");
const version = require("plotly.js/package.json").version;
const out = process.argv[2];

require("esbuild")
  .build({
    entryPoints: [path.join(__dirname, "entry.js")],
    outfile: out,
    format: "iife",
    globalName: "Plotly",
    bundle: true,
    minify: true,
    legalComments: "none",
    target: "es2016",
    banner: {
      js:
        `/* plotly.js v${version} (MIT licence, Plotly, Inc.: LICENSE beside this file), partial ` +
        "bundle: scatter, bar, scattergeo. Written by make vendor-plotly from vendor/plotly-bundle/. */",
    },
    plugins: [environmentPlugin({ NODE_DEBUG: false })],
    alias: { stream: "stream-browserify" },
    define: { global: "window", "define.amd": "false" },
    // Only the map traces (maplibre) import CSS; none of them is in this bundle.
    loader: { ".css": "empty" },
    logLevel: "warning",
  })
  .catch(() => process.exit(1));
