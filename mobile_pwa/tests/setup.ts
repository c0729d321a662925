// Installs an in-memory indexedDB on globalThis before Dexie is imported.
import 'fake-indexeddb/auto'
import { afterAll } from 'vitest'

// Vant measures safe-area placeholders (tab bar, sticky save bars) 100, 200 and 300 ms after
// mounting; a file that ends sooner would tear the DOM down under those timers.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 350)))
