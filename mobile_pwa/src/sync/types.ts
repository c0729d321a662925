/**
 * The shapes of POST /api/v1/visits/batch (aliases in api/types.ts of the generated OpenAPI).
 * Payloads are kept exactly as the API takes them (snake_case), so a queued record is sent
 * byte-for-byte as stored and a resend is answered `duplicate`, not `conflict`.
 */
export type {
  BatchResult,
  ChildDraft,
  ChildIn,
  DropoutReason,
  HouseholdIn,
  ItemError,
  ItemOutcome,
  ItemResult,
  Location,
  ObservationIn,
  ObservedSchooling,
  SchoolingStatus,
  ServerState,
  VisitBatch,
  VisitIn,
  VisitOutcome,
} from '../api/types'
