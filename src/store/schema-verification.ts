// Table shapes of the live-verification migration (0008).
export interface VerificationAuditTable {
  report_id: string;
  session_id: string;
  created: number;
  data: string; // sealed JSON
}

export interface VerificationReviewTable {
  session_id: string;
  livemode: number;
  created: number;
  state: string;
  reason: string;
  data: string; // sealed JSON
  decided_at: number | null;
}

export interface VerificationTables {
  verification_audits: VerificationAuditTable;
  verification_reviews: VerificationReviewTable;
}
