export * from './alerts';
export * from './alert-projections';
export * from './alert-text';
export * from './channels';
export * from './secret-box';
