export { createListsService, type ListsService, type ListsServiceDeps } from './service.ts';
export { cleanupInterruptedImports, deleteListChunked } from './cleanup.ts';
