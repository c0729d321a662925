// Installs an in-memory indexedDB on globalThis before Dexie is imported.
import 'fake-indexeddb/auto'
