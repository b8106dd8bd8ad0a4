export * from './lib/header-map';
export * from './lib/values';
export * from './lib/encoding';
export * from './lib/read-tables';
export * from './lib/write-workbook';
