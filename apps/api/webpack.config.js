const nodeAppConfig = require('../../tools/node-app.webpack');

module.exports = nodeAppConfig(__dirname, { assets: ['./src/assets'] });
