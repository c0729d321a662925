import { afterEach, beforeEach } from 'vitest'
import Dexie from 'dexie'
import { BaoxueDB } from '../src/db'

let counter = 0

/** A new, empty app database for each test (fake-indexeddb), deleted after it; `use` gets it
 *  before the file's own beforeEach hooks run. */
export function freshDb(prefix: string, use: (db: BaoxueDB) => void | Promise<void>): void {
  let db: BaoxueDB
  let name: string
  beforeEach(async () => {
    name = `baoxue-${prefix}-${++counter}`
    db = new BaoxueDB(name)
    await db.open()
    await use(db)
  })
  afterEach(async () => {
    db.close()
    await Dexie.delete(name)
  })
}
