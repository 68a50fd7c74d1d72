package httpapi

import (
	"encoding/json"
	"net"
	"net/http"
	"strconv"

	"creditpocket/internal/account"
	"creditpocket/internal/errs"
	"creditpocket/internal/inbox"
)

var (
	mobileField      = field{name: "mobile", typ: "string", required: true, desc: "National mobile number without the calling code, e.g. 7068425023 (a trunk 0 is accepted)"}
	countryCodeField = field{name: "countryCode", typ: "string", desc: "E.164 calling code without '+', e.g. 234; defaults to the server's --default-calling-code"}
	idQuery          = field{name: "id", typ: "string", required: true, desc: "Bank card id"}
	pageFields       = []field{{name: "pageNum", typ: "integer", desc: "1-based page number (default 1)"}, {name: "pageSize", typ: "integer", desc: "Items per page, 1–100 (default 10)"}}
)

func (s *Server) appRoutes() []route {
	return []route{
		{method: "POST", path: "/sms/code", tag: "Sign-up", summary: "Send a 6-digit SMS code (获取验证码). One per 60 s per phone; daily caps per phone and IP (an IPv6 client by its /64). The answer is the same whether or not the phone has an account: a login code is sent only to a registered phone, and a registered phone asking for a register code is told by SMS to log in instead.",
			body:     []field{mobileField, countryCodeField, {name: "type", typ: "string", required: true, desc: "What the code is for", enum: []string{account.PurposeRegister, account.PurposeLogin}}},
			response: "null", handle: s.app(s.sendCode)},
		{method: "POST", path: "/sms/verify", tag: "Sign-up", summary: "Check an SMS code without using it up (验证码验证). At most 5 tries per code.",
			body: []field{mobileField, countryCodeField, {name: "code", typ: "string", required: true, desc: "The 6-digit code"},
				{name: "type", typ: "string", desc: "What the code is for (default register)", enum: []string{account.PurposeRegister, account.PurposeLogin}}},
			response: "null", handle: s.app(s.verifyCode)},
		{method: "POST", path: "/user/register", tag: "Sign-up", summary: "Register with a code sent for type=register (注册). Returns a session token.",
			body: []field{mobileField, countryCodeField, {name: "code", typ: "string", required: true, desc: "The 6-digit code"},
				{name: "password", typ: "string", required: true, desc: "8–64 characters with a letter and a digit"}},
			response: "login", handle: s.app(s.register)},
		{method: "POST", path: "/user/login", tag: "Sign-up", summary: "Log in with a password or an SMS code sent for type=login (用户登录). 10 failed passwords per phone per UTC day (then only a code signs in); an unknown phone is answered as a wrong password.",
			body: []field{mobileField, countryCodeField, {name: "password", typ: "string", desc: "The password (or send code)"},
				{name: "code", typ: "string", desc: "A 6-digit login code (or send password)"}},
			response: "login", handle: s.app(s.login)},
		{method: "GET", path: "/user/isLogin", tag: "Sign-up", summary: "Whether the sent token is a live session (验证用户是否登录); never fails for a bad token, it says login=false.",
			response: "isLogin", handle: s.app(s.isLogin)},
		{method: "GET", path: "/user/logout", tag: "Sign-up", summary: "Revoke the session (用户退出登录).", auth: true,
			response: "null", handle: s.authed(s.logout)},

		{method: "POST", path: "/user/info/basic", tag: "Profile", summary: "Save basic information (基础信息保存). The ID number is encrypted at rest.", auth: true,
			body: []field{
				{name: "firstName", typ: "string", required: true, desc: "1–50 letters"},
				{name: "middleName", typ: "string", desc: "0–50 letters"},
				{name: "lastName", typ: "string", required: true, desc: "1–50 letters"},
				{name: "gender", typ: "string", required: true, enum: account.Genders},
				{name: "birthDate", typ: "string", required: true, desc: "YYYY-MM-DD; borrower 18–100 years old"},
				{name: "email", typ: "string", desc: "Valid e-mail, at most 64 characters"},
				{name: "maritalStatus", typ: "string", required: true, enum: account.MaritalStatuses},
				{name: "education", typ: "string", required: true, enum: account.Educations},
				{name: "idType", typ: "string", required: true, enum: account.IDTypes},
				{name: "idNumber", typ: "string", required: true, desc: "For a Nigerian identity_card the 11-digit BVN; a Chinese one is checksum- and birth-date-checked; passports 5–20 letters/digits"},
				{name: "idCountry", typ: "string", desc: "ISO 3166 alpha-2 of the ID (default nationality)"},
				{name: "idValidDate", typ: "string", desc: "YYYY-MM-DD the ID is valid until; must not be past"},
				{name: "nationality", typ: "string", desc: "ISO 3166 alpha-2 (default the server's country)"},
				{name: "state", typ: "string", required: true, desc: "State or region, at most 100 characters"},
				{name: "cityCode", typ: "string", required: true, desc: "A code from GET /dict/cities"},
				{name: "address", typ: "string", required: true, desc: "5–256 characters"},
			}, response: "null", handle: s.authed(s.saveBasic)},
		{method: "POST", path: "/user/info/contacts", tag: "Profile", summary: "Replace emergency contacts (保存紧急联系人信息): 2–5, distinct phones, not your own.", auth: true,
			body: []field{{name: "contacts", typ: "array", required: true, items: []field{
				{name: "name", typ: "string", required: true, desc: "1–50 letters"},
				mobileField, countryCodeField,
				{name: "relationship", typ: "string", required: true, enum: account.Relationships},
			}}}, response: "null", handle: s.authed(s.saveContacts)},
		{method: "POST", path: "/user/info/work", tag: "Profile", summary: "Save work information (工作信息保存).", auth: true,
			body: []field{
				{name: "companyName", typ: "string", required: true, desc: "1–100 characters"},
				{name: "companyPhone", typ: "string", required: true, desc: "A phone number of the server's country"},
				{name: "companyAddress", typ: "string", required: true, desc: "5–256 characters"},
				{name: "profession", typ: "string", required: true, desc: "1–64 characters"},
				{name: "incomeCode", typ: "string", required: true, desc: "A code from GET /dict/incomes"},
			}, response: "null", handle: s.authed(s.saveWork)},
		{method: "GET", path: "/user/info/authStatus", tag: "Profile", summary: "Which profile steps are complete, in the app's order (信息认证状态查询).", auth: true,
			response: "authStatus", handle: s.authed(s.authStatus)},
		{method: "GET", path: "/home/authStatus", tag: "Profile", summary: "The same completion status for the home screen (用户认证状态查询).", auth: true,
			response: "authStatus", handle: s.authed(s.authStatus)},
		{method: "GET", path: "/user/info", tag: "Profile", summary: "The borrower's profile with personal numbers masked (个人信息查询).", auth: true,
			response: "userInfo", handle: s.authed(s.userInfo)},
		{method: "GET", path: "/user/credit", tag: "Profile", summary: "The borrower's credit standing (个人信用信息查询): the newest attached credit report's summary.", auth: true,
			response: "credit", handle: s.authed(s.credit)},
		{method: "POST", path: "/user/bankcard", tag: "Bank cards", summary: "Add a bank account (简单银行卡保存). NUBAN check digit verified for Nigerian banks; the first account becomes the default.", auth: true,
			body: []field{
				{name: "bankNo", typ: "string", required: true, desc: "Bank code from GET /bankcard/banks, e.g. 058"},
				{name: "bankAccNo", typ: "string", required: true, desc: "Account number (10-digit NUBAN for Nigerian banks)"},
				{name: "bankAccName", typ: "string", desc: "Name on the account"},
				{name: "bankCardNo", typ: "string", desc: "Debit card number (12–19 digits, Luhn-checked)"},
			}, response: "card", handle: s.authed(s.addCard)},
		{method: "POST", path: "/user/transferRecipient", tag: "Bank cards", summary: "Register the account with the payment provider as a transfer recipient, once (检查及创建转移收件人).", auth: true,
			body: []field{{name: "id", typ: "string", desc: "Bank card id (default: the default card)"}}, response: "card", handle: s.authed(s.transferRecipient)},
		{method: "GET", path: "/bankcard/banks", tag: "Bank cards", summary: "The bank list (银行卡列表字典).", response: "list of bank", handle: s.app(s.banks)},
		{method: "GET", path: "/bankcard/list", tag: "Bank cards", summary: "The borrower's bank accounts, default first (查询银行卡列表).", auth: true,
			query: pageFields, response: "list of card", handle: s.authed(s.cards)},
		{method: "GET", path: "/bankcard/default", tag: "Bank cards", summary: "The default bank account (获取默认银行卡).", auth: true,
			response: "card", handle: s.authed(s.defaultCard)},
		{method: "POST", path: "/bankcard/default", tag: "Bank cards", summary: "Make an account the default (设置默认银行卡); loans pay out to it.", auth: true,
			body: []field{{name: "id", typ: "string", required: true, desc: "Bank card id"}}, response: "card", handle: s.authed(s.setDefaultCard)},
		{method: "GET", path: "/bankcard/verifyAmount", tag: "Bank cards", summary: "Send a micro-deposit to verify the account (获取绑卡认证金额); idempotent. The sandbox reveals the amount as sandboxAmount.", auth: true,
			query: []field{idQuery}, response: "verification", handle: s.authed(s.verifyAmount)},
		{method: "GET", path: "/bankcard/verifyCallback", tag: "Bank cards", summary: "Confirm the micro-deposit amount (是否验证绑卡回调); 3 tries.", auth: true,
			query: []field{idQuery, {name: "amount", typ: "string", required: true, desc: "The deposit in minor units, e.g. 157"}}, response: "verification", handle: s.authed(s.verifyCallback)},

		{method: "GET", path: "/dict/cities", tag: "Dictionaries", summary: "City dictionary (城市编码字典列表查询).",
			query: append([]field{{name: "state", typ: "string", desc: "Only cities of this state"}}, pageFields...), response: "list of city", handle: s.app(s.cities)},
		{method: "GET", path: "/dict/incomes", tag: "Dictionaries", summary: "Monthly income bands in minor units (查询收入字典).", response: "list of income", handle: s.app(s.incomes)},
		{method: "POST", path: "/support/hotQuestions", tag: "Support", summary: "Frequently asked questions (热门问题查询接口); page via query string.",
			query: pageFields, response: "list of question", handle: s.app(s.hotQuestions)},
		{method: "GET", path: "/support/phones", tag: "Support", summary: "Customer-service phone lines (客服电话列表).", response: "list of phone", handle: s.app(s.supportPhones)},
		{method: "GET", path: "/support/email", tag: "Support", summary: "Customer-service e-mail (邮箱).", response: "email", handle: s.app(s.supportEmail)},
		{method: "GET", path: "/message/page", tag: "Messages", summary: "The borrower's message centre, newest first (消息中心查询接口).", auth: true,
			query: pageFields, response: "list of message", handle: s.authed(s.messages)},
	}
}

type sendCodeReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Type        string `json:"type"`
}

func (s *Server) sendCode(r *http.Request) (any, error) {
	var req sendCodeReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.SendCode(r.Context(), account.SendCodeInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Purpose: req.Type, IP: clientIP(r)})
}

type verifyCodeReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Code        string `json:"code"`
	Type        string `json:"type"`
}

func (s *Server) verifyCode(r *http.Request) (any, error) {
	var req verifyCodeReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.VerifyCode(r.Context(), account.VerifyCodeInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Code: req.Code, Purpose: req.Type})
}

type registerReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Code        string `json:"code"`
	Password    string `json:"password"`
}

type loginView struct {
	Token       string `json:"token"`
	UID         string `json:"uid"`
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	ExpiresTime string `json:"expiresTime"`
}

func (s *Server) loginResult(c *account.Credentials) withToken {
	return withToken{token: c.Token, data: loginView{
		Token: c.Token, UID: strconv.FormatInt(c.User.ID, 10), Mobile: c.User.Mobile,
		CountryCode: strconv.Itoa(c.User.CallingCode),
		ExpiresTime: s.timeText(c.ExpiresAt),
	}}
}

func (s *Server) register(r *http.Request) (any, error) {
	var req registerReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	c, err := s.Accounts.Register(r.Context(), account.RegisterInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Code: req.Code, Password: req.Password, IP: clientIP(r)})
	if err != nil {
		return nil, err
	}
	return s.loginResult(c), nil
}

type loginReq struct {
	Mobile      string `json:"mobile"`
	CountryCode string `json:"countryCode"`
	Password    string `json:"password"`
	Code        string `json:"code"`
}

func (s *Server) login(r *http.Request) (any, error) {
	var req loginReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	c, err := s.Accounts.Login(r.Context(), account.LoginInput{Mobile: req.Mobile, CountryCode: req.CountryCode, Password: req.Password, Code: req.Code, IP: clientIP(r)})
	if err != nil {
		return nil, err
	}
	return s.loginResult(c), nil
}

type isLoginView struct {
	Login bool   `json:"login"`
	UID   string `json:"uid"`
}

func (s *Server) isLogin(r *http.Request) (any, error) {
	sess, err := s.Accounts.Authenticate(r.Context(), bearer(r))
	if errs.Is(err, errs.Unauthenticated) {
		return isLoginView{}, nil
	}
	if err != nil {
		return nil, err
	}
	return isLoginView{Login: true, UID: strconv.FormatInt(sess.UserID, 10)}, nil
}

func (s *Server) logout(r *http.Request, _ *account.Session) (any, error) {
	return nil, s.Accounts.Logout(r.Context(), bearer(r))
}

type basicReq struct {
	FirstName     string `json:"firstName"`
	MiddleName    string `json:"middleName"`
	LastName      string `json:"lastName"`
	Gender        string `json:"gender"`
	BirthDate     string `json:"birthDate"`
	Email         string `json:"email"`
	MaritalStatus string `json:"maritalStatus"`
	Education     string `json:"education"`
	IDType        string `json:"idType"`
	IDNumber      string `json:"idNumber"`
	IDCountry     string `json:"idCountry"`
	IDValidDate   string `json:"idValidDate"`
	Nationality   string `json:"nationality"`
	State         string `json:"state"`
	CityCode      string `json:"cityCode"`
	Address       string `json:"address"`
}

func (s *Server) saveBasic(r *http.Request, sess *account.Session) (any, error) {
	var req basicReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.SaveBasicInfo(r.Context(), sess.UserID, account.BasicInfoInput(req))
}

type contactReq struct {
	Name         string `json:"name"`
	Mobile       string `json:"mobile"`
	CountryCode  string `json:"countryCode"`
	Relationship string `json:"relationship"`
}

type contactsReq struct {
	Contacts []contactReq `json:"contacts"`
}

func (s *Server) saveContacts(r *http.Request, sess *account.Session) (any, error) {
	var req contactsReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	in := make([]account.ContactInput, len(req.Contacts))
	for i, c := range req.Contacts {
		in[i] = account.ContactInput(c)
	}
	return nil, s.Accounts.SaveContacts(r.Context(), sess.UserID, in)
}

type workReq struct {
	CompanyName    string `json:"companyName"`
	CompanyPhone   string `json:"companyPhone"`
	CompanyAddress string `json:"companyAddress"`
	Profession     string `json:"profession"`
	IncomeCode     string `json:"incomeCode"`
}

func (s *Server) saveWork(r *http.Request, sess *account.Session) (any, error) {
	var req workReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	return nil, s.Accounts.SaveWork(r.Context(), sess.UserID, account.WorkInput(req))
}

type stepView struct {
	Step string `json:"step"`
	Done bool   `json:"done"`
}

type authStatusView struct {
	Steps    []stepView `json:"steps"`
	Complete bool       `json:"complete"`
	Next     string     `json:"next"` // first step not done; "" when complete
}

func authStatusOf(steps []account.Step) authStatusView {
	v := authStatusView{Complete: account.Complete(steps)}
	for _, st := range steps {
		v.Steps = append(v.Steps, stepView{Step: st.Name, Done: st.Done})
		if !st.Done && v.Next == "" {
			v.Next = st.Name
		}
	}
	return v
}

func (s *Server) authStatus(r *http.Request, sess *account.Session) (any, error) {
	steps, err := s.Accounts.AuthStatus(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	return authStatusOf(steps), nil
}

type contactView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Mobile       string `json:"mobile"`
	Relationship string `json:"relationship"`
}

type workView struct {
	CompanyName    string `json:"companyName"`
	CompanyPhone   string `json:"companyPhone"`
	CompanyAddress string `json:"companyAddress"`
	Profession     string `json:"profession"`
	IncomeCode     string `json:"incomeCode"`
}

type userInfoView struct {
	UID           string         `json:"uid"`
	Mobile        string         `json:"mobile"`
	CountryCode   string         `json:"countryCode"`
	FirstName     string         `json:"firstName"`
	MiddleName    string         `json:"middleName"`
	LastName      string         `json:"lastName"`
	Gender        string         `json:"gender"`
	BirthDate     string         `json:"birthDate"`
	Email         string         `json:"email"`
	MaritalStatus string         `json:"maritalStatus"`
	Education     string         `json:"education"`
	IDType        string         `json:"idType"`
	IDCountry     string         `json:"idCountry"`
	IDNumber      string         `json:"idNumber"` // masked
	IDValidDate   string         `json:"idValidDate"`
	Nationality   string         `json:"nationality"`
	State         string         `json:"state"`
	CityCode      string         `json:"cityCode"`
	Address       string         `json:"address"`
	Contacts      []contactView  `json:"contacts"`
	Work          *workView      `json:"work"`
	DefaultCard   *cardView      `json:"defaultCard"`
	AuthStatus    authStatusView `json:"authStatus"`
	CreatedTime   string         `json:"createdTime"`
}

func (s *Server) userInfo(r *http.Request, sess *account.Session) (any, error) {
	o, err := s.Accounts.Overview(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	v := userInfoView{UID: strconv.FormatInt(o.User.ID, 10), Mobile: o.User.Mobile, CountryCode: strconv.Itoa(o.User.CallingCode),
		Contacts: []contactView{}, AuthStatus: authStatusOf(o.Steps()), CreatedTime: s.timeText(o.User.CreatedAt)}
	if p := o.Profile; p != nil {
		v.FirstName, v.MiddleName, v.LastName, v.Gender, v.BirthDate = p.FirstName, p.MiddleName, p.LastName, p.Gender, p.BirthDate
		v.Email, v.MaritalStatus, v.Education, v.IDType, v.IDCountry = p.Email, p.MaritalStatus, p.Education, p.IDType, p.IDCountry
		v.IDNumber, v.IDValidDate, v.Nationality, v.State, v.CityCode, v.Address = p.IDNumberMask, p.IDValidDate, p.Nationality, p.State, p.CityCode, p.Address
	}
	for _, c := range o.Contacts {
		v.Contacts = append(v.Contacts, contactView{ID: strconv.FormatInt(c.ID, 10), Name: c.Name, Mobile: c.Phone, Relationship: c.Relationship})
	}
	if w := o.Work; w != nil {
		v.Work = &workView{CompanyName: w.CompanyName, CompanyPhone: w.CompanyPhone, CompanyAddress: w.CompanyAddress, Profession: w.Profession, IncomeCode: w.IncomeCode}
	}
	if o.Default != nil {
		cv := s.cardView(*o.Default)
		v.DefaultCard = &cv
	}
	return v, nil
}

type creditReportView struct {
	SerialNo             string `json:"serialNo"`
	ReportTime           string `json:"reportTime"`
	Accounts             int    `json:"accounts"`
	OverdueAccounts      int    `json:"overdueAccounts"`
	LongestOverdueMonths int    `json:"longestOverdueMonths"`
	BadDebts             int    `json:"badDebts"`
	QueriesLastMonth     int    `json:"queriesLastMonth"`
	AttachedTime         string `json:"attachedTime"`
}

type creditView struct {
	ReportAttached bool              `json:"reportAttached"`
	Report         *creditReportView `json:"report"` // the newest attached report's summary; null when none
}

func (s *Server) creditOf(cr *account.CreditReport) creditView {
	return creditView{ReportAttached: true, Report: &creditReportView{SerialNo: cr.SerialNo, ReportTime: cr.ReportTime,
		Accounts: cr.Accounts, OverdueAccounts: cr.OverdueAccounts, LongestOverdueMonths: cr.LongestOverdueMonths,
		BadDebts: cr.BadDebts, QueriesLastMonth: cr.QueriesLastMonth, AttachedTime: s.timeText(cr.CreatedAt)}}
}

func (s *Server) credit(r *http.Request, sess *account.Session) (any, error) {
	cr, err := s.Accounts.LatestCreditReport(r.Context(), sess.UserID)
	if errs.Is(err, errs.NotFound) {
		return creditView{}, nil
	}
	if err != nil {
		return nil, err
	}
	return s.creditOf(cr), nil
}

type cardReq struct {
	BankNo      string `json:"bankNo"`
	BankAccNo   string `json:"bankAccNo"`
	BankAccName string `json:"bankAccName"`
	BankCardNo  string `json:"bankCardNo"`
}

type cardView struct {
	ID            string `json:"id"`
	BankNo        string `json:"bankNo"`
	BankName      string `json:"bankName"`
	BankAccNo     string `json:"bankAccNo"`   // masked
	BankAccName   string `json:"bankaccName"` // the seed's spelling
	BankCardNo    string `json:"bankCardNo"`  // masked
	IsDefault     bool   `json:"isDefault"`
	Verified      bool   `json:"verified"`
	RecipientCode string `json:"recipientCode"`
	CreatedTime   string `json:"createdTime"`
}

func (s *Server) cardView(c account.BankCard) cardView {
	return cardView{ID: strconv.FormatInt(c.ID, 10), BankNo: c.BankCode, BankName: c.BankName, BankAccNo: c.AccountMask,
		BankAccName: c.AccountName, BankCardNo: c.PANMask, IsDefault: c.Default, Verified: !c.VerifiedAt.IsZero(),
		RecipientCode: c.RecipientCode, CreatedTime: s.timeText(c.CreatedAt)}
}

func (s *Server) addCard(r *http.Request, sess *account.Session) (any, error) {
	var req cardReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	c, err := s.Accounts.AddCard(r.Context(), sess.UserID, account.CardInput{BankCode: req.BankNo, AccountNo: req.BankAccNo, AccountName: req.BankAccName, CardNo: req.BankCardNo})
	if err != nil {
		return nil, err
	}
	return s.cardView(*c), nil
}

type idReq struct {
	ID json.Number `json:"id"`
}

func (s *Server) transferRecipient(r *http.Request, sess *account.Session) (any, error) {
	var req idReq
	if r.ContentLength != 0 {
		if err := decodeJSON(r, maxJSONBody, &req); err != nil {
			return nil, err
		}
	}
	var id int64
	if req.ID != "" {
		var err error
		if id, err = parseID("id", req.ID); err != nil {
			return nil, err
		}
	}
	c, err := s.Accounts.EnsureRecipient(r.Context(), sess.UserID, id)
	if err != nil {
		return nil, err
	}
	return s.cardView(*c), nil
}

func (s *Server) cards(r *http.Request, sess *account.Session) (any, error) {
	p, err := pageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Accounts.Cards(r.Context(), sess.UserID, p)
	if err != nil {
		return nil, err
	}
	return listOf(res.Items, res.Total, s.cardView), nil
}

func (s *Server) defaultCard(r *http.Request, sess *account.Session) (any, error) {
	c, err := s.Accounts.DefaultCard(r.Context(), sess.UserID)
	if err != nil {
		return nil, err
	}
	return s.cardView(*c), nil
}

func (s *Server) setDefaultCard(r *http.Request, sess *account.Session) (any, error) {
	var req idReq
	if err := decodeJSON(r, maxJSONBody, &req); err != nil {
		return nil, err
	}
	id, err := parseID("id", req.ID)
	if err != nil {
		return nil, err
	}
	if err := s.Accounts.SetDefaultCard(r.Context(), sess.UserID, id); err != nil {
		return nil, err
	}
	return s.defaultCard(r, sess)
}

type verificationView struct {
	ID            string `json:"id"`
	Sent          bool   `json:"sent"`
	Verified      bool   `json:"verified"`
	AttemptsLeft  int    `json:"attemptsLeft"`
	SandboxAmount string `json:"sandboxAmount,omitempty"`
}

func verificationOf(v *account.Verification) verificationView {
	out := verificationView{ID: strconv.FormatInt(v.CardID, 10), Sent: v.Sent, Verified: v.Verified, AttemptsLeft: v.AttemptsLeft}
	if v.SandboxAmount != 0 {
		out.SandboxAmount = strconv.FormatInt(v.SandboxAmount, 10)
	}
	return out
}

func (s *Server) verifyAmount(r *http.Request, sess *account.Session) (any, error) {
	id, err := queryID(r, "id")
	if err != nil {
		return nil, err
	}
	v, err := s.Accounts.StartCardVerification(r.Context(), sess.UserID, id)
	if err != nil {
		return nil, err
	}
	return verificationOf(v), nil
}

func (s *Server) verifyCallback(r *http.Request, sess *account.Session) (any, error) {
	id, err := queryID(r, "id")
	if err != nil {
		return nil, err
	}
	amount, err := queryID(r, "amount")
	if err != nil {
		return nil, err
	}
	v, err := s.Accounts.ConfirmCardVerification(r.Context(), sess.UserID, id, amount)
	if err != nil {
		return nil, err
	}
	return verificationOf(v), nil
}

type messageView struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	Content     string `json:"content"`
	Read        bool   `json:"read"`
	CreatedTime string `json:"createdTime"`
}

func (s *Server) messages(r *http.Request, sess *account.Session) (any, error) {
	p, err := pageRequest(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Accounts.Messages(r.Context(), sess.UserID, p)
	if err != nil {
		return nil, err
	}
	return listOf(res.Items, res.Total, func(m inbox.Message) messageView {
		return messageView{ID: strconv.FormatInt(m.ID, 10), Kind: m.Kind, Title: m.Title, Content: m.Content, Read: m.Read, CreatedTime: s.timeText(m.CreatedAt)}
	}), nil
}

// clientIP is the client's address: the peer's, or behind the trusted
// proxies of Server.Proxies the client their X-Forwarded-For names (the
// handler chain has put it in RemoteAddr). A client's own
// X-Forwarded-For is never believed: it could forge one to dodge the
// per-IP limits.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
