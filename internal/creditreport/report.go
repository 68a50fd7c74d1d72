package creditreport

// Report is the structured content of one credit report. It marshals to the
// "返回结果" object of the credit-report contract: the same keys, the same
// nesting, arrays where the contract has arrays. Every leaf is the string as
// printed in the report ("500,000", "2015.05.05", "--"); see Normalize for
// typed values.
type Report struct {
	CreditHeader                    CreditHeader            `json:"creditHeader"`
	OtherIDInfo                     []OtherID               `json:"otherIdInfo"`
	AntiHackInfo                    *AntiHack               `json:"antiHackInfo,omitempty"`
	PersonBasicInfo                 PersonBasicInfo         `json:"personBasicInfo"`
	InfoSummary                     InfoSummary             `json:"infoSummary"`
	CreditTransInfoDetail           CreditTransInfoDetail   `json:"creditTransInfoDetail"`
	NoncreditTransInfoDetail        []NoncreditAccount      `json:"noncreditTransInfoDetail"`
	PublicInfoDetail                PublicInfoDetail        `json:"publicInfoDetail"`
	NonFinanceCreditTransInfoDetail []NonFinanceCreditTrans `json:"nonFinanceCreditTransInfoDetail"`
	OpenInfo                        OpenInfo                `json:"openInfo"`
	OtherNonOpenInfo                []OtherNonOpen          `json:"otherNonOpenInfo"`
	ObjectionLabel                  []ObjectionLabelRecord  `json:"objectionLabel"`
	QueryRecord                     []QueryRecord           `json:"queryRecord"`
}

// CreditHeader is the report header: serial number, time and the querying
// party.
type CreditHeader struct {
	SerialNo      string `json:"serialNo"`      // 报告编号, 22 digits
	ReportTime    string `json:"reportTime"`    // 报告时间, "2015.05.05 10:20:30"
	WhoWasChecked string `json:"whoWasChecked"` // 被查询者姓名
	IDType        string `json:"idType"`        // 被查询者证件类型
	IDNum         string `json:"idNum"`         // 被查询者证件号码
	Organization  string `json:"organization"`  // 查询机构
	Reason        string `json:"reason"`        // 查询原因
	ObjectionInfo string `json:"objectionInfo"` // 异议信息提示, the whole sentence; "" when absent
}

// OtherID is one row of the 其他证件信息 table. The contract names the table
// but gives no shape; the printed columns are 证件类型 | 证件号码.
type OtherID struct {
	IDType string `json:"idType"` // 证件类型
	IDNum  string `json:"idNum"`  // 证件号码
}

// AntiHack is the 防欺诈警示 (anti-fraud warning). The contract names it but
// gives no shape; the report prints a sentence carrying the telephone number,
// then 生效日期 | 截止日期. It is nil (and the key absent) when the report
// carries no warning.
type AntiHack struct {
	Tel        string `json:"tel"`        // 联系电话
	EffectDate string `json:"effectDate"` // 生效日期
	DueDate    string `json:"dueDate"`    // 截止日期
}

// PersonBasicInfo is section 一 个人基本信息.
type PersonBasicInfo struct {
	PersonInfo    PersonInfo   `json:"personInfo"`
	ConnubialInfo Spouse       `json:"connubialInfo"`
	LivedInfos    []Residence  `json:"livedInfos"`
	Experiences   []Occupation `json:"experiences"`
}

// PersonInfo is （一）身份信息.
type PersonInfo struct {
	Gender        string   `json:"gender"`
	Birthday      string   `json:"birthday"`
	IsMarried     string   `json:"isMarried"`
	Job           string   `json:"job"`
	Education     string   `json:"education"`
	Qualification string   `json:"qualification"`
	Country       string   `json:"country"`
	Email         string   `json:"email"`
	PostAddr      string   `json:"postAddr"`
	RegisterAddr  string   `json:"registerAddr"`
	Mobile        []Mobile `json:"mobile"`
}

// Mobile is one row of the telephone table.
type Mobile struct {
	No       string `json:"no"`
	Mobile   string `json:"mobile"`
	UpdateAt string `json:"updateAt"`
}

// Spouse is （二）配偶信息.
type Spouse struct {
	Name    string `json:"name"`
	IDType  string `json:"idType"`
	IDNum   string `json:"idNum"`
	Company string `json:"company"`
	Tel     string `json:"tel"`
}

// Residence is one row of （三）居住信息.
type Residence struct {
	No       string `json:"no"`
	Address  string `json:"address"`
	Status   string `json:"status"`
	HomeTel  string `json:"homeTel"`
	UpdateAt string `json:"updateAt"`
}

// Occupation is one row of （四）职业信息, joined from its two printed tables
// by 编号.
type Occupation struct {
	No               string `json:"no"`
	Company          string `json:"company"`
	Address          string `json:"address"`
	OfficeTel        string `json:"officeTel"`
	CompanyCharacter string `json:"companyCharacter"`
	JobNature        string `json:"jobNature"`
	Industry         string `json:"industry"`
	Title            string `json:"title"`
	Level            string `json:"level"`
	StartedAt        string `json:"startedAt"`
	UpdateAt         string `json:"updateAt"`
}

// InfoSummary is section 二 信息概要.
type InfoSummary struct {
	PersonalCreditReportExplication    Explication             `json:"personalCreditReportExplication"`
	CreditTransInfoHint                CreditTransInfoHint     `json:"creditTransInfoHint"`
	CreditTransBreachInfoSummary       BreachSummary           `json:"creditTransBreachInfoSummary"`
	CreditTransExtensionAndDebtSummary ExtensionAndDebtSummary `json:"creditTransExtensionAndDebtSummary"`
	NoncreditTransInfoSummary          []NoncreditSummaryRow   `json:"noncreditTransInfoSummary"`
	PublicInfoSummary                  []PublicSummaryRow      `json:"publicInfoSummary"`
	NonFinanceCreditTransInfoSummary   []NonFinanceSummaryRow  `json:"nonFinanceCreditTransInfoSummary"`
	OpenInfoSummary                    []OpenSummaryRow        `json:"openInfoSummary"`
	QueryRecordSummary                 QueryRecordSummary      `json:"queryRecordSummary"`
}

// Explication is the 数字解读 score block.
type Explication struct {
	DigitExplication string   `json:"digitExplication"`
	RelativeLocation string   `json:"relativeLocation"`
	Desc             []string `json:"desc"`
}

// CreditTransInfoHint is （二）信贷交易信息提示.
type CreditTransInfoHint struct {
	TotalAccountNum string     `json:"totalAccountNum"` // the 合计 row's 账户数
	Detail          HintDetail `json:"detail"`
}

// HintDetail groups the hint rows by their first column.
type HintDetail struct {
	Loan       []HintRow `json:"loan"`
	CreditCard []HintRow `json:"creditCard"`
	Others     []HintRow `json:"others"`
}

// HintRow is one row of the hint table.
type HintRow struct {
	Type       string `json:"type"`
	AccountNum string `json:"accountNum"`
	FirstGotAt string `json:"firstGotAt"`
}

// BreachSummary is （三）信贷交易违约信息概要.
type BreachSummary struct {
	RecourseInfoSummary   RecourseSummary  `json:"recourseInfoSummary"`
	BadDebtsSummary       BadDebtsSummary  `json:"badDebtsSummary"`
	OverdueInfoCollection []OverdueSummary `json:"overdueInfoCollection"`
}

// RecourseSummary is 被追偿信息汇总; the 合计 row fills the totals.
type RecourseSummary struct {
	TotalAccountNum string               `json:"totalAccountNum"`
	SurplusAmount   string               `json:"surplusAmount"`
	Detail          []RecourseSummaryRow `json:"detail"`
}

// RecourseSummaryRow is one business-type row of 被追偿信息汇总.
type RecourseSummaryRow struct {
	Type          string `json:"type"`
	AccountNum    string `json:"accountNum"`
	SurplusAmount string `json:"surplusAmount"`
}

// BadDebtsSummary is 呆账信息汇总.
type BadDebtsSummary struct {
	AccountNum    string `json:"accountNum"`
	SurplusAmount string `json:"surplusAmount"`
}

// OverdueSummary is one row of 逾期（透支）信息汇总.
type OverdueSummary struct {
	Type               string `json:"type"`
	AccountNum         string `json:"accountNum"`
	MonthNum           string `json:"monthNum"`
	MaxAmountPerMonth  string `json:"maxAmountPerMonth"`
	MaxOverdueMonthNum string `json:"maxOverdueMonthNum"`
}

// ExtensionAndDebtSummary is （四）信贷交易授信及负债信息概要.
type ExtensionAndDebtSummary struct {
	AcyclicLoanAccountInfoSummary    LoanSummary       `json:"acyclicLoanAccountInfoSummary"`
	CyclicalAmountAccountInfoSummary LoanSummary       `json:"cyclicalAmountAccountInfoSummary"`
	CyclicalLoanAccountInfoSummary   LoanSummary       `json:"cyclicalLoanAccountInfoSummary"`
	CreditAccountInfoSummary         CardSummary       `json:"creditAccountInfoSummary"`
	QuasiCreditAccountInfoSummary    QuasiCardSummary  `json:"quasiCreditAccountInfoSummary"`
	ConcernedRefundDutyInfoSummary   RefundDutySummary `json:"concernedRefundDutyInfoSummary"`
}

// LoanSummary is the summary table shared by the three loan account kinds.
type LoanSummary struct {
	ManageCompanyNum string `json:"manageCompanyNum"`
	AccountNum       string `json:"accountNum"`
	ExtensionAmount  string `json:"extensionAmount"`
	SurplusAmount    string `json:"surplusAmount"`
	Avg6MonthPay     string `json:"avg6monthPay"`
}

// CardSummary is 贷记卡账户信息汇总.
type CardSummary struct {
	CompanyNum          string `json:"companyNum"`
	AccountNum          string `json:"accountNum"`
	ExtensionAmount     string `json:"extensionAmount"`
	MaxAmountPerCompany string `json:"maxAmountPerCompany"`
	MinAmountPerCompany string `json:"minAmountPerCompany"`
	UsedAmount          string `json:"usedAmount"`
	Avg6MonthUsedAmount string `json:"avg6monthUsedAmount"`
}

// QuasiCardSummary is 准贷记卡账户信息汇总.
type QuasiCardSummary struct {
	CompanyNum               string `json:"companyNum"`
	AccountNum               string `json:"accountNum"`
	ExtensionAmount          string `json:"extensionAmount"`
	MaxAmountPerCompany      string `json:"maxAmountPerCompany"`
	MinAmountPerCompany      string `json:"minAmountPerCompany"`
	SurplusAmount            string `json:"surplusAmount"`
	Avg6MonthOverdraftAmount string `json:"avg6monthOverdraftAmount"`
}

// RefundDutySummary is 相关还款责任信息汇总.
type RefundDutySummary struct {
	ForPerson  RefundDutyParty `json:"forPerson"`
	ForCompany RefundDutyParty `json:"forCompany"`
}

// RefundDutyParty is the 为个人 or 为企业 half of RefundDutySummary.
type RefundDutyParty struct {
	GuaranteeDuty   GuaranteeDuty   `json:"guaranteeDuty"`
	OtherRefundDuty OtherRefundDuty `json:"otherRefundDuty"`
}

// GuaranteeDuty is 担保责任.
type GuaranteeDuty struct {
	AccountNum      string `json:"accountNum"`
	GuaranteeAmount string `json:"guaranteeAmount"`
	SurplusAmount   string `json:"surplusAmount"`
}

// OtherRefundDuty is 其他相关还款责任.
type OtherRefundDuty struct {
	AccountNum       string `json:"accountNum"`
	RefundDutyAmount string `json:"refundDutyAmount"`
	SurplusAmount    string `json:"surplusAmount"`
}

// NoncreditSummaryRow is one row of 后付费业务欠费信息汇总.
type NoncreditSummaryRow struct {
	Type       string `json:"type"`
	AccountNum string `json:"accountNum"`
	DebtAmount string `json:"debtAmount"`
}

// PublicSummaryRow is one row of 公共信息汇总.
type PublicSummaryRow struct {
	Type            string `json:"type"`
	RecordNum       string `json:"recordNum"`
	ReferenceAmount string `json:"referenceAmount"`
}

// NonFinanceSummaryRow is one row of 非金融信用交易信息概要.
type NonFinanceSummaryRow struct {
	Type   string `json:"type"`
	Number string `json:"number"`
}

// OpenSummaryRow is one row of 公开信息概要.
type OpenSummaryRow struct {
	Type      string `json:"type"`
	RecordNum string `json:"recordNum"`
}

// QueryRecordSummary is （七）查询记录概要. The contract nests the objection
// summary here, so it lives here too.
type QueryRecordSummary struct {
	LastQueryRecord           LastQuery         `json:"lastQueryRecord"`
	Last1MonthQueryCompanyNum QueryCompanyCount `json:"last1MonthQueryCompanyNum"`
	Last1MonthQueryNum        QueryCount        `json:"last1MonthQueryNum"`
	Last2YearQueryNum         QueryCount2Year   `json:"last2YearQueryNum"`
	ObjectionAndDescription   Annotation        `json:"objectionAndDescription"`
}

// LastQuery is 上一次查询记录.
type LastQuery struct {
	Date        string `json:"date"`
	CompanyName string `json:"companyName"`
	Detail      string `json:"detail"`
}

// QueryCompanyCount is 最近1个月内的查询机构数.
type QueryCompanyCount struct {
	LoanApproval   string `json:"loanApproval"`
	CreditApproval string `json:"creditApproval"`
}

// QueryCount is 最近1个月内的查询次数.
type QueryCount struct {
	LoanApproval   string `json:"loanApproval"`
	CreditApproval string `json:"creditApproval"`
	SelfQuery      string `json:"selfQuery"`
}

// QueryCount2Year is 最近2年内的查询次数.
type QueryCount2Year struct {
	ManagerAfterLoan                    string `json:"managerAfterLoan"`
	GuaranteeInvestigate                string `json:"guaranteeInvestigate"`
	BespokeMerchantsRealNameInvestigate string `json:"bespokeMerchantsRealNameInvestigate"`
}

// Annotation is the 异议标注 summary: label text and the date it was added.
type Annotation struct {
	ObjectionLabel string `json:"objectionLabel"`
	AddDate        string `json:"addDate"`
}
