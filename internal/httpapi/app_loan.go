package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/identity"
	"creditpocket/internal/ledger"
	"creditpocket/internal/loan"
	"creditpocket/internal/loan/payout"
	"creditpocket/internal/loan/repay"
	"creditpocket/internal/page"
	"creditpocket/internal/payment"
)

// Loans holds what the loan endpoints call.
type Loans struct {
	Service *loan.Service
	// Payments opens checkouts and books the provider's webhooks.
	Payments *repay.Service
	// Payouts retries and cancels failed payouts for operators.
	Payouts *payout.Dispatcher
	// Sandbox is the sandbox payment provider; nil unless it is active,
	// which also hides the /sandbox/payments routes.
	Sandbox       *payment.Async
	WebhookSecret []byte
	// AppCode is the app's "appCode" on loan records.
	AppCode string
}

// Caps on the photos of an application.
const (
	maxPhotos     = 5
	maxPhotoBytes = 5 << 20
	maxApplyBody  = maxPhotos*maxPhotoBytes + 64<<10
	// applyMemoryFactor is what a byte of the application costs in memory:
	// the photo as read (with the slack of its growing buffer), and its
	// sealed copy for the blob store.
	applyMemoryFactor = 3
	maxMultipartIn    = 32 << 10 // form values kept in memory
)

// pageFirst is the page of loans apply answers with, as the seed does.
var pageFirst = page.Request{Num: 1, Size: page.DefaultSize}

var loanIDQuery = field{name: "id", typ: "string", required: true, desc: "Loan id"}

func (s *Server) loanRoutes() []route {
	if s.Loans == nil {
		return nil
	}
	rs := []route{
		{method: "GET", path: "/home/products", tag: "Home", summary: "Products on sale for the home screen (首页产品), with their price.",
			response: "list of product", handle: s.app(s.homeProducts)},
		{method: "GET", path: "/home/ticker", tag: "Home", summary: "The newest payouts, masked (时时贷款信息).",
			response: "list of ticker", handle: s.app(s.ticker)},
		{method: "GET", path: "/home/lastLoan", tag: "Home", summary: "The borrower's newest loan record, or null (最后一笔贷款查询).", auth: true,
			response: "loan record or null", handle: s.authed(s.latestLoan(false))},
		{method: "GET", path: "/loan/product/page", tag: "Loans", summary: "Products on sale, paged (贷款产品分页查询).",
			query: pageFields, response: "list of product", handle: s.app(s.productPage)},
		{method: "GET", path: "/loan/product/detail", tag: "Loans", summary: "One product and its price (贷款产品详情查询).",
			query: []field{{name: "id", typ: "string", required: true, desc: "Product id, e.g. 301"}}, response: "product", handle: s.app(s.productDetail)},
		{method: "POST", path: "/loan/record/apply", tag: "Loans", auth: true,
			summary: "Apply for a loan (贷款申请接口). Needs a complete profile and a default bank card (payout goes there); at most one unfinished loan per borrower (409 otherwise). The risk decision is made at once; an approved loan is paid out asynchronously (status 5 → 6 when the provider confirms). Answers the borrower's loans, newest first, as the seed does.",
			multipart: []field{
				{name: "id", typ: "string", required: true, desc: "Product id, e.g. 301"},
				{name: "applyTerminal", typ: "string", desc: "Terminal the app runs on (1 Android, 2 iOS, 3 web); default 1"},
				{name: "files", typ: "array", desc: fmt.Sprintf("Photos taken at application: JPEG or PNG, at most %d files of %d MiB each; stored encrypted", maxPhotos, maxPhotoBytes>>20)},
				{name: "blackBox", typ: "string", desc: "The device-fingerprint SDK's token, used against fraud (device velocity and lists). Only with deviceConsent=1; refused without it"},
				{name: "deviceConsent", typ: "string", desc: "1 when the borrower agreed in the app to device data being used against fraud; the consent is recorded on the loan", enum: []string{"0", "1"}},
			}, response: "list of loan record", handle: s.budgeted(applyMemoryFactor, maxApplyBody, s.authed(s.apply))},
		{method: "GET", path: "/loan/record/page", tag: "Loans", summary: "The borrower's loans, newest first (用户历史贷款记录分页查询).", auth: true,
			query: pageFields, response: "list of loan record", handle: s.authed(s.loanPage)},
		{method: "GET", path: "/loan/record/latestUnfinished", tag: "Loans", summary: "The borrower's unfinished loan, or null (获取最新的一条未结束的贷款记录).", auth: true,
			response: "loan record or null", handle: s.authed(s.latestLoan(true))},
		{method: "GET", path: "/loan/record/latest", tag: "Loans", summary: "The borrower's newest loan, or null (获取最新的一条贷款记录).", auth: true,
			response: "loan record or null", handle: s.authed(s.latestLoan(false))},
		{method: "GET", path: "/loan/record/repay", tag: "Loans", auth: true,
			summary: "Repay a loan in full (用户主动还款接口): opens a checkout for everything outstanding and answers its reference and checkoutUrl. Calling it again while nothing changed answers the same checkout; if another checkout has superseded it since, it opens a new one (a loan has one open checkout at a time).",
			query:   []field{loanIDQuery}, response: "repayment", handle: s.authed(s.repayGet)},
		{method: "POST", path: "/loan/record/repay", tag: "Loans", auth: true,
			summary: "Repay part or all of a loan, or pay for an extension. A loan has one open checkout at a time: a new one supersedes the open one (status superseded; the provider is told to cancel it), and checkouts close when the loan is settled (status closed); money that still arrives on a closed checkout repays the loan while it owes and is kept as borrower credit once it does not (status credited). An extension is bought once per cycle. Requires an Idempotency-Key header (1–128 characters): the same key with the same body answers the first checkout as it stands now (possibly superseded, closed or paid; never reopened); with a different body 409. Payments are allocated penalty → fee → interest → principal; anything beyond what is owed is kept as credit.",
			body: []field{
				{name: "id", typ: "string", required: true, desc: "Loan id"},
				{name: "amount", typ: "string", desc: "Minor units to pay; default everything outstanding (repay) or the extension cost (extend)"},
				{name: "type", typ: "string", desc: "What the payment is for (default repay). An extension costs the product's extension fee plus any penalty and moves the due date by one cycle", enum: []string{"repay", "extend"}},
			}, response: "repayment", handle: s.authed(s.repayPost)},
		{method: "POST", path: "/payment/webhook", tag: "Payments",
			summary:  "Payment provider webhook, signed with Standard Webhooks: webhook-id, webhook-timestamp (Unix seconds) and webhook-signature (\"v1,<base64 HMAC-SHA256 of id.timestamp.raw body>\" under the shared secret; several space-separated signatures are accepted, for rotating the secret). A missing or wrong signature, or a timestamp more than 5 minutes from the server's clock (a replay), is refused (401). The body is decoded strictly: a duplicate key at any depth or data after the JSON value is refused (400, naming it), as is data.amount above 10^15 minor units or more than the loan can absorb plus the configured surplus (400, field amount). The same event delivered many times, or out of order, is applied once.",
			response: "webhook receipt", handle: s.webhook},
		{method: "GET", path: "/ops/loans/review", tag: "Operations", summary: "Loans waiting for manual review, oldest first. Needs the operator token (CREDITPOCKET_OPS_TOKEN) as a Bearer token; refused while none is configured.",
			query: pageFields, response: "list of loan record", handle: s.ops(s.reviewQueue)},
		{method: "GET", path: "/ops/loans/{id}", tag: "Operations", summary: "One loan as the app shows it, with the id of its risk decision (open it with GET /ops/risk/decisions/{sequence_id}), when the borrower consented to device data, the borrower credit held (credit) and the loan's payments (payments: status superseded or closed for a checkout closed before it was paid, closedReason saying why, arrivedOnClosedCheckout for money that came on one anyway: applied to the debt while the loan owed, else kept as credit). Operator token required.",
			response: "operator loan", handle: s.ops(s.opsLoan)},
		{method: "POST", path: "/ops/loans/{id}/approve", tag: "Operations", summary: "Approve a loan in manual review and start its payout; the reviewer is recorded (auditUserId). Operator token required.",
			body: reviewFields, response: "loan record", handle: s.ops(s.review(true))},
		{method: "POST", path: "/ops/loans/{id}/reject", tag: "Operations", summary: "Reject a loan in manual review (status 32); the reviewer is recorded. Operator token required.",
			body: reviewFields, response: "loan record", handle: s.ops(s.review(false))},
	}
	if s.Loans.Sandbox != nil {
		rs = append(rs,
			route{method: "POST", path: "/sandbox/payments/{reference}/complete", tag: "Sandbox",
				summary: "Simulate the borrower paying a checkout (full or partial) or a payout arriving now. The provider then reports it by signed webhook (only while the sandbox provider is active).",
				body:    []field{{name: "amount", typ: "string", desc: "Minor units paid; default what the checkout asked"}}, response: "null", handle: s.app(s.sandboxComplete)},
			route{method: "POST", path: "/sandbox/payments/{reference}/fail", tag: "Sandbox",
				summary: "Simulate a failed charge or payout, reported by signed webhook (only while the sandbox provider is active). A payout failure carries a failure code: retriable codes are sent again automatically with backoff, the others wait for an operator (POST /ops/loans/{id}/payout/retry or /cancel).",
				body: []field{{name: "reason", typ: "string", desc: "Failure reason"},
					{name: "code", typ: "string", desc: "A payout's failure code (default provider_error). timeout, insufficient_provider_balance and provider_error are retried automatically; invalid_account, account_closed and invalid_request are not", enum: payment.FailureCodes()}},
				response: "null", handle: s.app(s.sandboxFail)},
			route{method: "GET", path: "/sandbox/checkout/{reference}", tag: "Sandbox",
				summary:  "The sandbox checkout page of a payment: what it asks for (only while the sandbox provider is active).",
				response: "checkout", handle: s.app(s.sandboxCheckout)},
		)
	}
	return rs
}

var reviewFields = []field{
	{name: "reviewer", typ: "string", required: true, desc: "Who decides (recorded as auditUserId)"},
	{name: "reason", typ: "string", desc: "Why (auditUserReson)"},
}

// productView is a product with its price, amounts in minor units.
type productView struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Currency      string `json:"currency"`
	Balance       string `json:"balance"`
	ActualBalance string `json:"actualBalance"`
	Cycle         int    `json:"cycle"`
	InterestRate  string `json:"interestRate"` // ppm per day
	ServiceFee    int64  `json:"serviceFee"`
	SuffixFee     int64  `json:"suffixFee"`
	ShouldbackFee string `json:"shouldbackFee"`
	FeeMode       string `json:"feeMode"`
	PenaltyRate   string `json:"penaltyRate"` // ppm of principal per overdue day
	PenaltyCap    string `json:"penaltyCap"`  // most penalty over the loan's life
	ExtensionFee  string `json:"extensionFee"`
	LoanCount     int    `json:"loanCount"`
	OnSale        bool   `json:"onSale"`
}

func (s *Server) productView(p loan.Product) (productView, error) {
	q, err := loan.Quote(p, time.Now())
	if err != nil {
		return productView{}, err
	}
	return productView{
		ID: p.ID, Name: p.Name, Currency: p.Currency, Balance: q.Balance.String(), ActualBalance: q.ActualBalance.String(),
		Cycle: p.Cycle, InterestRate: strconv.FormatInt(int64(p.InterestRate), 10), ServiceFee: int64(q.ServiceFee),
		SuffixFee: int64(q.SuffixFee), ShouldbackFee: q.ShouldbackFee.String(), FeeMode: string(p.FeeMode),
		PenaltyRate: strconv.FormatInt(int64(p.PenaltyRate), 10), PenaltyCap: q.PenaltyCap.String(),
		ExtensionFee: p.ExtensionFee.String(), LoanCount: p.MinSettledLoans, OnSale: p.OnSale,
	}, nil
}

func (s *Server) productViews(ps []loan.Product) ([]productView, error) {
	out := make([]productView, 0, len(ps))
	for _, p := range ps {
		v, err := s.productView(p)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (s *Server) homeProducts(r *http.Request) (any, error) {
	ps, err := s.Loans.Service.Products(r.Context(), false)
	if err != nil {
		return nil, err
	}
	return s.productViews(ps)
}

func (s *Server) productPage(r *http.Request) (any, error) {
	p, err := pageRequest(r)
	if err != nil {
		return nil, err
	}
	ps, err := s.Loans.Service.Products(r.Context(), false)
	if err != nil {
		return nil, err
	}
	total := len(ps)
	ps = ps[min(p.Offset(), total):min(p.Offset()+p.Limit(), total)]
	vs, err := s.productViews(ps)
	if err != nil {
		return nil, err
	}
	return pageView{List: vs, Total: strconv.Itoa(total)}, nil
}

func (s *Server) productDetail(r *http.Request) (any, error) {
	id := r.URL.Query().Get("id")
	if id == "" {
		return nil, errs.Required("id")
	}
	p, err := s.Loans.Service.Product(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return s.productView(*p)
}

type tickerView struct {
	Mobile     string `json:"mobile"` // masked
	Balance    string `json:"balance"`
	Cycle      int    `json:"cycle"`
	ArriveTime string `json:"arriveTime"`
}

func (s *Server) ticker(r *http.Request) (any, error) {
	rs, err := s.Loans.Service.RecentDisbursed(r.Context(), 20)
	if err != nil {
		return nil, err
	}
	out := make([]tickerView, 0, len(rs))
	for _, l := range rs {
		out = append(out, tickerView{Mobile: maskMobile(l.Mobile), Balance: l.Pricing.Balance.String(), Cycle: l.Pricing.Cycle,
			ArriveTime: s.timeText(l.DisbursedAt)})
	}
	return out, nil
}

func maskMobile(m string) string {
	if len(m) < 7 {
		return strings.Repeat("*", len(m))
	}
	return m[:3] + strings.Repeat("*", len(m)-6) + m[len(m)-3:]
}

// loanView is a loan record with every field of the seed's sample, with
// the same names and JSON types (some amounts strings, some numbers).
type loanView struct {
	ActualBalance        string `json:"actualBalance"`
	ActualbackAmt        string `json:"actualbackAmt"`
	AppCode              string `json:"appCode"`
	ApplyCity            string `json:"applyCity"`
	ApplyTerminal        int    `json:"applyTerminal"`
	ArriveTime           string `json:"arriveTime"`
	AuditRiskDetail      string `json:"auditRiskDetail"`
	AuditRiskReson       string `json:"auditRiskReson"`
	AuditRiskStatus      int    `json:"auditRiskStatus"`
	AuditRiskTime        string `json:"auditRiskTime"`
	AuditUserID          string `json:"auditUserId"`
	AuditUserReson       string `json:"auditUserReson"`
	AuditUserTime        string `json:"auditUserTime"`
	Balance              string `json:"balance"`
	BankAccNo            string `json:"bankAccNo"`  // masked
	BankCardNo           string `json:"bankCardNo"` // masked
	BankName             string `json:"bankName"`
	BankNo               string `json:"bankNo"`
	BankaccName          string `json:"bankaccName"`
	CouponCount          string `json:"couponCount"`
	CouponIDs            string `json:"couponIds"`
	CouponsFee           int    `json:"couponsFee"`
	CreatedTime          string `json:"createdTime"`
	Cycle                int    `json:"cycle"`
	DentityCard          string `json:"dentityCard"` // masked
	ExtensionStatus      int    `json:"extensionStatus"`
	Fee                  int    `json:"fee"`
	FeeGetway            int    `json:"feeGetway"`
	FeePercent           int    `json:"feePercent"`
	FeeType              int    `json:"feeType"`
	FirstName            string `json:"firstName"`
	HeadImgCode          string `json:"headImgCode"`
	ID                   string `json:"id"`
	IndentNo             string `json:"indentNo"`
	InitialrepaymentTime string `json:"initialrepaymentTime"`
	LastName             string `json:"lastName"`
	LastbackTime         string `json:"lastbackTime"`
	Limits               string `json:"limits"`
	LoanCount            int    `json:"loanCount"`
	LoanReason           int    `json:"loanReason"`
	MiddleName           string `json:"middleName"`
	Mobile               string `json:"mobile"`
	OverDays             string `json:"overDays"`
	OverdueFee           string `json:"overdueFee"`
	OverduePercent       int    `json:"overduePercent"`
	PayUserID            string `json:"payUserId"`
	ProductID            string `json:"productId"`
	Profit               string `json:"profit"`
	ReduceAmt            string `json:"reduceAmt"`
	RemainingAmount      string `json:"remainingAmount"`
	Repayment            any    `json:"repayment"` // 1 once a payment arrived, else "" (the seed mixes both)
	ServiceFee           int64  `json:"serviceFee"`
	ShouldbackFee        string `json:"shouldbackFee"`
	ShouldbackTime       string `json:"shouldbackTime"`
	ShouldbackFeeSnake   string `json:"shouldback_fee"`
	Status               int    `json:"status"`
	SuffixFee            int64  `json:"suffixFee"`
	TradeMode            int    `json:"tradeMode"`
	UID                  string `json:"uid"`
	UpdatedTime          string `json:"updatedTime"`
}

// feeType is the denominator of feePercent and overduePercent: they are
// the daily interest and penalty rates in parts per ten thousand.
const feeType = 10000

func (s *Server) loanView(l loan.Record) loanView {
	var repayment any = ""
	if l.Received > 0 {
		repayment = 1
	}
	overDays, remaining := "", ""
	if l.OverDays > 0 {
		overDays = strconv.Itoa(l.OverDays)
	}
	if l.Status.Owing() {
		if t, err := l.Outstanding.Total(); err == nil {
			remaining = t.String()
		}
	}
	headImg := ""
	if len(l.Photos) > 0 {
		headImg = l.Photos[0]
	}
	appCode := s.Loans.AppCode
	if appCode == "" {
		appCode = "CycleCash"
	}
	return loanView{
		ActualBalance: l.PaidOut.String(), ActualbackAmt: l.Received.String(), AppCode: appCode,
		ApplyTerminal: l.ApplyTerminal, ArriveTime: s.timeText(l.DisbursedAt),
		AuditRiskDetail: l.RiskDetail, AuditRiskReson: l.RiskReason, AuditRiskStatus: int(l.AuditRiskStatus),
		AuditRiskTime: s.timeText(l.DecidedAt), AuditUserID: orZero(l.AuditUserID), AuditUserReson: l.AuditUserReason,
		AuditUserTime: s.timeText(l.AuditUserAt), Balance: l.Pricing.Balance.String(),
		BankAccNo: l.Card.AccountMask, BankCardNo: l.Card.PANMask, BankName: l.Card.BankName, BankNo: l.Card.BankCode,
		BankaccName: l.Card.AccountName, CreatedTime: s.timeText(l.AppliedAt), Cycle: l.Pricing.Cycle,
		DentityCard: l.IDMask, ExtensionStatus: l.ExtensionStatus(),
		FeePercent: int(l.Product.InterestRate * feeType / loan.PerMillion), FeeType: feeType,
		FirstName: l.First, HeadImgCode: headImg, ID: l.ID, IndentNo: s.indentNo(l),
		InitialrepaymentTime: s.timeText(l.InitialDueAt), LastName: l.Last, LastbackTime: s.timeText(l.LastPaidAt),
		LoanCount: l.LoanCount, MiddleName: l.Middle, Mobile: l.Mobile, OverDays: overDays,
		OverdueFee: l.PenaltyCharged.String(), OverduePercent: int(l.Product.PenaltyRate * feeType / loan.PerMillion),
		PayUserID: "0", ProductID: l.Pricing.ProductID, ReduceAmt: "0", RemainingAmount: remaining, Repayment: repayment,
		ServiceFee: int64(l.Pricing.ServiceFee), ShouldbackFee: l.Pricing.ShouldbackFee.String(),
		ShouldbackTime: s.timeText(l.DueAt), ShouldbackFeeSnake: l.Pricing.ShouldbackFee.String(), Status: int(l.Status),
		SuffixFee: int64(l.Pricing.SuffixFee), TradeMode: 1, UID: l.BorrowerID, UpdatedTime: s.timeText(l.UpdatedAt),
	}
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// indentNo is the order number: CL, the application date (YYMMDD) and the
// loan id, e.g. CL220115151776.
func (s *Server) indentNo(l loan.Record) string {
	return "CL" + l.AppliedAt.In(s.Location).Format("060102") + fmt.Sprintf("%06s", l.ID)
}

func (s *Server) latestLoan(unfinished bool) authedFunc {
	return func(r *http.Request, sess *account.Session) (any, error) {
		l, err := s.Loans.Service.Latest(r.Context(), sess.UserID, unfinished)
		if err != nil || l == nil {
			return nil, err
		}
		return s.loanView(*l), nil
	}
}

func (s *Server) loanPage(r *http.Request, sess *account.Session) (any, error) {
	p, err := pageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Loans.Service.Loans(r.Context(), sess.UserID, p)
	if err != nil {
		return nil, err
	}
	return listOf(res.Items, res.Total, s.loanView), nil
}

func (s *Server) apply(r *http.Request, sess *account.Session) (any, error) {
	in, err := readApplication(r)
	if err != nil {
		return nil, err
	}
	in.UserID = sess.UserID
	in.Device.IP = clientIP(r)
	if _, err := s.Loans.Service.Apply(r.Context(), in); err != nil {
		return nil, err
	}
	res, err := s.Loans.Service.Loans(r.Context(), sess.UserID, pageFirst)
	if err != nil {
		return nil, err
	}
	return listOf(res.Items, res.Total, s.loanView), nil
}

// readApplication parses the multipart application, streaming each file
// under its cap and sniffing it as a photo.
func readApplication(r *http.Request) (loan.ApplyInput, error) {
	var in loan.ApplyInput
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return in, errs.InvalidField("Content-Type", "must be multipart/form-data with a boundary")
	}
	body := http.MaxBytesReader(nil, r.Body, maxApplyBody)
	mr := multipart.NewReader(body, params["boundary"])
	in.ApplyTerminal = 1
	var formBytes int
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if memoryBusy(r, err) {
				return in, errMemoryBusy
			}
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return in, &errs.Error{Code: errs.TooLarge, Field: "body", Message: fmt.Sprintf("must be at most %d bytes", maxApplyBody)}
			}
			return in, errs.InvalidField("body", "is not valid multipart/form-data")
		}
		name := part.FormName()
		if name == "files" || name == "files[]" || part.FileName() != "" {
			if len(in.Photos) == maxPhotos {
				return in, &errs.Error{Code: errs.TooLarge, Field: "files", Message: fmt.Sprintf("at most %d photos", maxPhotos)}
			}
			data, err := io.ReadAll(io.LimitReader(part, maxPhotoBytes+1))
			if err != nil {
				if memoryBusy(r, err) {
					return in, errMemoryBusy
				}
				return in, errs.InvalidField("files", "could not be read")
			}
			if len(data) > maxPhotoBytes {
				return in, &errs.Error{Code: errs.TooLarge, Field: "files", Message: fmt.Sprintf("each photo must be at most %d MiB", maxPhotoBytes>>20)}
			}
			if len(data) == 0 {
				continue // the app sends an empty part when no photo was taken
			}
			if _, err := identity.CheckFile(data, identity.JPEG, identity.PNG); err != nil {
				return in, errs.InvalidField("files", "photo %d: %v", len(in.Photos)+1, err)
			}
			in.Photos = append(in.Photos, data)
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 257))
		if err != nil || len(v) > 256 {
			return in, errs.InvalidField(name, "must be at most 256 bytes")
		}
		if formBytes += len(v); formBytes > maxMultipartIn {
			return in, errs.InvalidField("body", "too many form fields")
		}
		switch name {
		case "id":
			in.ProductID = strings.TrimSpace(string(v))
		case "applyTerminal":
			t := strings.TrimSpace(string(v))
			if t == "" {
				continue
			}
			n, err := strconv.Atoi(t)
			if err != nil || n < 0 || n > 99 {
				return in, errs.InvalidField("applyTerminal", "must be a whole number 0–99")
			}
			in.ApplyTerminal = n
		case "blackBox":
			in.Device.Fingerprint = strings.TrimSpace(string(v))
		case "deviceConsent":
			switch strings.TrimSpace(string(v)) {
			case "1", "true":
				in.Device.Consent = true
			case "", "0", "false":
			default:
				return in, errs.InvalidField("deviceConsent", "must be 1 (the borrower agreed) or 0")
			}
		default:
			return in, errs.InvalidField(name, "is not a known field")
		}
	}
	if in.ProductID == "" {
		return in, errs.Required("id")
	}
	return in, nil
}

// repayView is an opened repayment checkout.
type repayView struct {
	Reference   string `json:"reference"`
	CheckoutURL string `json:"checkoutUrl"`
	LoanID      string `json:"id"`
	Type        string `json:"type"` // repay | extend
	Amount      string `json:"amount"`
	Status      string `json:"status"` // pending | success | failed | superseded | closed | credited
	CreatedTime string `json:"createdTime"`
}

func (s *Server) repayView(p *loan.Payment) repayView {
	typ := "repay"
	if p.Kind == loan.PayExtension {
		typ = "extend"
	}
	return repayView{Reference: p.Reference, CheckoutURL: p.CheckoutURL, LoanID: p.LoanID, Type: typ,
		Amount: p.Amount.String(), Status: p.Status, CreatedTime: s.timeText(p.CreatedAt)}
}

// repayGet opens a full repayment. Its idempotency key is derived from
// the loan and what it owes, so repeating the GET answers the same
// checkout until a payment changes the debt.
func (s *Server) repayGet(r *http.Request, sess *account.Session) (any, error) {
	id := r.URL.Query().Get("id")
	if id == "" {
		return nil, errs.Required("id")
	}
	l, err := s.Loans.Service.Loan(r.Context(), sess.UserID, id)
	if err != nil {
		return nil, err
	}
	owed, err := l.Outstanding.Total()
	if err != nil {
		return nil, err
	}
	base := fmt.Sprintf("get:%s:%d:%d", l.ID, owed, l.Version)
	// A checkout a GET opened and a later checkout superseded is not
	// answered again: the next key names it, so a repeated GET opens one
	// new checkout and then keeps answering that one.
	key := base
	var p *loan.Payment
	for range maxGetChain {
		if p, err = s.Loans.Payments.Repay(r.Context(), repay.Input{UserID: sess.UserID, LoanID: l.ID, IdempotencyKey: key, RequestHash: base}); err != nil {
			return nil, err
		}
		if p.Status != loan.PaySuperseded {
			break
		}
		key = base + ":" + p.Reference
	}
	return s.repayView(p), nil
}

// maxGetChain bounds the superseded checkouts a GET /loan/record/repay
// steps over.
const maxGetChain = 8

type repayReq struct {
	ID     json.Number `json:"id"`
	Amount string      `json:"amount"`
	Type   string      `json:"type"`
}

func (s *Server) repayPost(r *http.Request, sess *account.Session) (any, error) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if key == "" {
		return nil, errs.Required("Idempotency-Key")
	}
	var req repayReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	id, err := parseID("id", req.ID)
	if err != nil {
		return nil, err
	}
	in := repay.Input{UserID: sess.UserID, LoanID: strconv.FormatInt(id, 10), IdempotencyKey: key}
	if req.Amount != "" {
		if in.Amount, err = ledger.ParseAmount(req.Amount); err != nil {
			return nil, errs.InvalidField("amount", "%v", err)
		}
	}
	switch req.Type {
	case "", "repay":
	case "extend":
		in.Extend = true
	default:
		return nil, errs.InvalidField("type", "must be repay or extend")
	}
	// The hash is of the decoded request, so whitespace or key order do
	// not make a replay look like a different request.
	canon, _ := json.Marshal([]any{in.LoanID, in.Amount, in.Extend})
	sum := sha256.Sum256(canon)
	in.RequestHash = hex.EncodeToString(sum[:])
	p, err := s.Loans.Payments.Repay(r.Context(), in)
	if err != nil {
		return nil, err
	}
	return s.repayView(p), nil
}

// now is the loan engine's clock (a test's settable one), which the
// sandbox also signs its webhooks with.
func (l *Loans) now() time.Time {
	if l.Service != nil && l.Service.Now != nil {
		return l.Service.Now()
	}
	return time.Now()
}

type webhookReceipt struct {
	Received bool   `json:"received"`
	Event    string `json:"event"`
}

// webhook verifies and applies a provider event. It answers 200 for
// events it has seen before, so the provider stops retrying them.
func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, payment.MaxWebhookBody))
	if err != nil {
		writeErr(w, &errs.Error{Code: errs.TooLarge, Field: "body", Message: fmt.Sprintf("must be at most %d bytes", payment.MaxWebhookBody)})
		return
	}
	ev, err := payment.VerifyWebhook(r.Header, body, s.Loans.now(), s.Loans.WebhookSecret)
	if err != nil {
		logger(r.Context(), s.log).Warn("webhook refused", "err", err)
		var we *payment.WebhookError
		if errors.As(err, &we) {
			err = errs.E(errs.Unauthenticated, "%v", err)
		}
		writeErr(w, err)
		return
	}
	err = s.Loans.Payments.HandlePayment(r.Context(), loan.PaymentResult{
		Reference: ev.Data.Reference, Succeeded: ev.Succeeded(), Amount: ledger.Money(ev.Data.Amount), Reason: ev.Data.Reason,
		Code: ev.Data.FailureCode, Retriable: payment.Retriable(ev.Data.FailureCode),
	})
	if errs.Is(err, errs.NotFound) {
		logger(r.Context(), s.log).Warn("webhook for an unknown payment", "reference", ev.Data.Reference, "event", ev.ID)
		err = nil
	}
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		// The provider says money moved and nothing was booked: staff
		// must see it.
		logger(r.Context(), s.log).Warn("webhook payment refused", "reference", ev.Data.Reference, "event", ev.ID,
			"amount", ev.Data.Amount, "err", err)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeOK(w, webhookReceipt{Received: true, Event: ev.ID})
}

// opsLoanView is a loan for operators: the app's record plus what only
// staff see.
type opsLoanView struct {
	Loan              loanView `json:"loan"`
	RiskSequenceID    string   `json:"riskSequenceId"` // "" when the risk engine did not decide it
	DeviceConsentTime string   `json:"deviceConsentTime"`
	// Credit is money held for the borrower (overpayments, and payments
	// that arrived on closed checkouts) until it is refunded.
	Credit   string           `json:"credit"`
	Payments []opsPaymentView `json:"payments"`
}

// opsPaymentView is one of a loan's payments, for operators.
type opsPaymentView struct {
	Reference string `json:"reference"`
	Kind      string `json:"kind"` // disbursement | repayment | extension
	Amount    string `json:"amount"`
	Paid      string `json:"paid"`
	Status    string `json:"status"` // pending | success | failed | superseded | closed | credited
	Failure   string `json:"failure"`
	// ClosedReason says why a checkout closed before it was paid.
	ClosedReason string `json:"closedReason"`
	// ArrivedOnClosedCheckout marks money that came on a closed checkout:
	// applied to the debt while the loan owed, else kept as credit.
	ArrivedOnClosedCheckout bool   `json:"arrivedOnClosedCheckout"`
	CreatedTime             string `json:"createdTime"`
	UpdatedTime             string `json:"updatedTime"`
}

func (s *Server) opsLoan(r *http.Request) (any, error) {
	l, err := s.Loans.Service.AnyLoan(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	ps, err := s.Loans.Service.Payments(r.Context(), l.ID)
	if err != nil {
		return nil, err
	}
	v := opsLoanView{Loan: s.loanView(*l), RiskSequenceID: l.RiskSequenceID, DeviceConsentTime: s.timeText(l.DeviceConsentAt),
		Credit: l.Credit.String(), Payments: make([]opsPaymentView, len(ps))}
	for i, p := range ps {
		v.Payments[i] = opsPaymentView{Reference: p.Reference, Kind: p.Kind, Amount: p.Amount.String(), Paid: p.Paid.String(),
			Status: p.Status, Failure: p.Failure, ClosedReason: p.ClosedReason, ArrivedOnClosedCheckout: p.ArrivedOnClosedCheckout(),
			CreatedTime: s.timeText(p.CreatedAt), UpdatedTime: s.timeText(p.UpdatedAt)}
	}
	return v, nil
}

func (s *Server) reviewQueue(r *http.Request) (any, error) {
	p, err := pageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Loans.Service.ReviewQueue(r.Context(), p)
	if err != nil {
		return nil, err
	}
	return listOf(res.Items, res.Total, s.loanView), nil
}

type reviewReq struct {
	Reviewer string `json:"reviewer"`
	Reason   string `json:"reason"`
}

func (s *Server) review(approve bool) handlerFunc {
	return func(r *http.Request) (any, error) {
		var req reviewReq
		if err := decodeJSON(r, maxJSONBody, &req); err != nil {
			return nil, err
		}
		if req.Reviewer == "" || len(req.Reviewer) > 64 {
			return nil, errs.InvalidField("reviewer", "must be 1–64 characters")
		}
		if len(req.Reason) > 256 {
			return nil, errs.InvalidField("reason", "must be at most 256 characters")
		}
		l, err := s.Loans.Service.Decide(r.Context(), loan.ManualDecision{LoanID: r.PathValue("id"), Reviewer: req.Reviewer, Approve: approve, Reason: req.Reason})
		if err != nil {
			return nil, err
		}
		return s.loanView(*l), nil
	}
}

type sandboxPayReq struct {
	Amount string `json:"amount"`
	Reason string `json:"reason"`
	Code   string `json:"code"`
}

func (s *Server) sandboxComplete(r *http.Request) (any, error) {
	var req sandboxPayReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	ref, err := sandboxReference(r)
	if err != nil {
		return nil, err
	}
	var amount ledger.Money
	if req.Amount != "" {
		if amount, err = ledger.ParseAmount(req.Amount); err != nil {
			return nil, errs.InvalidField("amount", "%v", err)
		}
		// Refused now, as a provider refuses a payment it cannot take,
		// rather than by the webhook the sandbox would then retry.
		if err := s.Loans.Payments.CheckPayment(r.Context(), ref, amount); err != nil {
			return nil, err
		}
	}
	return nil, s.Loans.Sandbox.Complete(r.Context(), ref, amount)
}

func (s *Server) sandboxFail(r *http.Request) (any, error) {
	var req sandboxPayReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	if len(req.Reason) > 256 {
		return nil, errs.InvalidField("reason", "must be at most 256 characters")
	}
	if strings.ContainsFunc(req.Reason, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return nil, errs.InvalidField("reason", "must not contain control characters")
	}
	ref, err := sandboxReference(r)
	if err != nil {
		return nil, err
	}
	return nil, s.Loans.Sandbox.Fail(r.Context(), ref, req.Reason, req.Code)
}

type checkoutView struct {
	Reference string `json:"reference"`
	Kind      string `json:"kind"`
	Amount    string `json:"amount"`
}

// sandboxReference is the payment reference a sandbox route names: text
// without control characters (a NUL is refused by PostgreSQL).
func sandboxReference(r *http.Request) (string, error) {
	ref := r.PathValue("reference")
	if len(ref) > 128 || !utf8.ValidString(ref) || strings.ContainsFunc(ref, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		return "", errs.InvalidField("reference", "must be at most 128 characters of UTF-8 text without control characters")
	}
	return ref, nil
}

func (s *Server) sandboxCheckout(r *http.Request) (any, error) {
	ref, err := sandboxReference(r)
	if err != nil {
		return nil, err
	}
	kind, amount, err := s.Loans.Sandbox.Charges.PaymentExists(r.Context(), ref)
	if err != nil {
		return nil, err
	}
	return checkoutView{Reference: ref, Kind: kind, Amount: strconv.FormatInt(amount, 10)}, nil
}
