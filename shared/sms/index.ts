export * from './encoding.ts';
export * from './fix.ts';
export * from './template.ts';
export * from './senderId.ts';
export * from './cost.ts';
export * from './datacheck.ts';
