import type { ShallowRef } from 'vue'
import { db as defaultDb, type BaoxueDB } from './db'
import { unsentCount } from './session'
import { useLive } from './useLive'

/** session.unsentCount kept live (across tabs): the tab bar's badge, the home page's figure. */
export function useUnsentCount(target: BaoxueDB = defaultDb): ShallowRef<number> {
  return useLive(() => unsentCount(target), 0)
}
