// Package creditreport is the model of a PBOC second-generation personal
// credit report (个人信用报告（授信机构版）) as the credit-report engine
// returns it: Go types that marshal to exactly the keys and nesting of the
// contract's "返回结果" object, every leaf the string as printed
// ("500,000", "2015.05.05", "--").
//
// # Shape decisions
//
// The contract's field table names two header tables its JSON skeleton
// lacks; the model gives them the printed columns:
//
//	otherIdInfo   [{idType 证件类型, idNum 证件号码}]
//	antiHackInfo  {tel 联系电话, effectDate 生效日期, dueDate 截止日期}, absent when no warning
//
// Marshal prints every object key and every string leaf (empty when not
// printed) and a list with no rows as []. Conditional tables are nil
// pointers and absent keys: an account state holds its printed value in
// accountState.value and exactly one state table (loans: normal for
// 正常/逾期/司法追偿, badDebt, transfer, clear; cards: normal for
// 正常/止付/冻结/司法追偿, badDebt, accountCanceled, inactive; 被追偿:
// debtCollection for 催收, debtFinish for 结束); beforeDeadlineDate,
// beforeDueDate and bigAmountSpecialPeriodInfo are absent when not printed.
//
// Values the report prints inside a sentence or heading keep only the
// value: dueDate and beforeDeadlineDate.value hold "2015年05月05日" of
// 截至2015年05月05日 / 2015年05月05日以后的最新还款记录; inactive.inactiveDueDate
// the date of 截至…，账户状态为“未激活”; refundRecord.dateRange
// "2010年07月-2015年05月" (hyphen-minus, without 的还款记录). Repayment grids
// list years newest first, as printed, and only the months inside the
// range, January first. Names are the block headings without their
// parenthesis: "账户1", "授信协议1". Layout drift (dash variants, stray
// spaces, bracket widths) is never part of a value.
//
// # Normalize
//
// Normalize and NormalizeJSON return the same tree with typed leaves. The
// leaf's key decides its kind:
//
//	amount, int64 fen (minor units): surplusAmount refundAmount creditorAmount
//	  extensionAmount avg6monthPay maxAmountPerCompany minAmountPerCompany
//	  usedAmount avg6monthUsedAmount avg6monthOverdraftAmount guaranteeAmount
//	  refundDutyAmount debtAmount referenceAmount maxAmountPerMonth
//	  scheduledPayment realPayed currOverdueAmount overdue31Tp60 overdue61Tp90
//	  overdue91Tp180 overdue180 accountExtensionAmount sharedExtensionAmount
//	  unspecifiedLargeAmountSpecificPeriodAmount maxUsedAmount periodAmount
//	  usedPeriodAmount overDraftAmount latest6MonthsAvgOverDraftAmount
//	  maxOverDraftAmount overDraft180UnpayedAmount occurAmount
//	  extensionLimitAmount owingTaxAmount litigationAmount
//	  applyExecuteSubjectValue executedSubjectAmount penaltyAmount
//	  amountPerMonth familyIncomePerMonth curDebtAmount overdueAmount
//	  debitInterestAmount payedAmount closingAmount applyExecuteSubjectAmount
//	  payableAmount paidAmount amount (repayment-grid amount row)
//	count, int64: accountNum totalAccountNum monthNum maxOverdueMonthNum
//	  manageCompanyNum companyNum recordNum number loanApproval
//	  creditApproval selfQuery managerAfterLoan guaranteeInvestigate
//	  bespokeMerchantsRealNameInvestigate refundPeriodNum surplusPaymentNum
//	  currOverduePeriods surplusPeriodsNum changeMonthNum overdueMonthNum
//	  overdueDays monthValue year digitExplication
//	date, ISO-8601 at the printed precision ("2015-05-05", "2015-05", "2015"):
//	  birthday updateAt startDate endDate deadlineDate dueDate
//	  latestRepayDate accountClosedDate transferDate refundDate canceledDate
//	  inactiveDueDate creditorReceivedDate periodAmountEffectiveDate
//	  periodAmountDueDate effectDate addDate date fillingDate
//	  closingEffectDate closingDate owingTaxStatsDate contributionDate
//	  firstContributionDate contributionDueDate applyDate agreeDate gotDate
//	  revocationDate realPayedDate restrictionOutboundStartDate
//	  restrictionOutboundEndDate latestPaidDate firstGotAt accountDate
//	  startedAt scheduledPayAt billDate
//	date-time: reportTime "2015.05.05 10:20:30" → "2015-05-05T10:20:30"
//	month interval: dateRange "2010年07月-2015年05月" → "2010-07/2015-05"
//	text: every other key, unchanged
//
// A typed leaf printed as "", "--" or another dash is null; a text leaf
// printed "--" is "". Stray spaces and full-width digits are removed before
// parsing. A value that does not parse as its kind is an error naming its
// path, so a caller learns which field an extractor garbled.
package creditreport
