// Package kyc is the card-binding KYC domain of the open API: a merchant
// (a partner with the "kyc" scope) opens a card binding for one of its
// users under its own transaction number (mc_trade_no), then submits the
// user's identity — personal details and document photos — for that
// binding, and follows the KYC's status.
//
// The package holds the request model and its reader (a streaming JSON
// reader built for this one body, over the tokenizer in kyc/jsonscan:
// image fields of megabytes are decoded from base64 as they are read,
// never copied whole more than once), the validation rules exactly as the
// partner contract states them, the code table answered to partners, the
// status machine (submitted → approved | rejected, with automatic checks
// first and a manual review queue), and the merchant notifications it
// queues in an outbox with the status change; kyc/notify delivers them,
// signed. It knows nothing of SQL or HTTP: storage, blobs and sealing are
// interfaces implemented by adapters (internal/store/kycdb) and wired in
// cmd/creditpocket.
package kyc
