'use strict';
// The dashboard's charts: bars (compare areas, deciles), lines and markers (trend, spine),
// and filled outlines on a geo map (maps). Nothing else is registered.
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/scattergeo')]);
module.exports = Plotly;
