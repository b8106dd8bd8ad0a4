import baseConfig from '../../eslint.config.mjs';

export default [...baseConfig, { ignores: ['peer/**', 'store/run.cjs'] }];
