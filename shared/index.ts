export * from './schemas.ts';
export * from './limits.ts';
export * from './ids.ts';
export * from './hash.ts';
