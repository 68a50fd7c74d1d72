package parse

import (
	cr "creditpocket/internal/creditreport"
)

// public reads 五 公共信息明细 and the newer public-information parts the
// report prints after it.
func (w *walker) public(p *part) error {
	d := &w.r.PublicInfoDetail
	tbls := tables(p.items)
	switch p.sub {
	case "欠税记录":
		for _, r := range w.list(tbls, "编号", "主管税务机关", "欠税总额", "欠税统计日期") {
			d.OwingTaxRecord = append(d.OwingTaxRecord, cr.OwingTax{No: r[0], ChargedTaxOffice: r[1], OwingTaxAmount: r[2], OwingTaxStatsDate: r[3]})
		}
	case "民事判决记录":
		byNo := map[string]int{}
		for _, r := range w.list(tbls, "编号", "立案法院", "案由", "立案日期", "结案方式") {
			byNo[r[0]] = len(d.CivilJudgmentRecord)
			d.CivilJudgmentRecord = append(d.CivilJudgmentRecord, cr.CivilJudgment{No: r[0], FillingCourt: r[1], Reason: r[2], FillingDate: r[3], ClosingType: r[4]})
		}
		for _, r := range w.list(tbls, "编号", "判决/调解结果", "判决/调解生效日期", "诉讼标的", "诉讼标的金额") {
			i, ok := byNo[r[0]]
			if !ok {
				i = len(d.CivilJudgmentRecord)
				byNo[r[0]] = i
				d.CivilJudgmentRecord = append(d.CivilJudgmentRecord, cr.CivilJudgment{No: r[0]})
			}
			x := &d.CivilJudgmentRecord[i]
			x.ClosingResult, x.ClosingEffectDate, x.Litigation, x.LitigationAmount = r[1], r[2], r[3], r[4]
		}
	case "强制执行记录":
		byNo := map[string]int{}
		for _, r := range w.list(tbls, "编号", "执行法院", "执行案由", "立案日期", "结案方式") {
			byNo[r[0]] = len(d.ForceExecuteRecord)
			d.ForceExecuteRecord = append(d.ForceExecuteRecord, cr.ForceExecution{No: r[0], ExecuteCourt: r[1], ExecuteReason: r[2], FillingDate: r[3], ClosingType: r[4]})
		}
		for _, r := range w.list(tbls, "编号", "案件状态", "结案日期", "申请执行标的", "申请执行标的价值", "已执行标的", "已执行标的金额") {
			i, ok := byNo[r[0]]
			if !ok {
				i = len(d.ForceExecuteRecord)
				byNo[r[0]] = i
				d.ForceExecuteRecord = append(d.ForceExecuteRecord, cr.ForceExecution{No: r[0]})
			}
			x := &d.ForceExecuteRecord[i]
			x.CaseState, x.ClosingDate, x.ApplyExecuteSubject, x.ApplyExecuteSubjectValue, x.ExecutedSubject, x.ExecutedSubjectAmount = r[1], r[2], r[3], r[4], r[5], r[6]
		}
	case "行政处罚记录":
		for _, r := range w.list(tbls, "编号", "处罚机构", "处罚内容", "处罚金额", "生效日期", "截止日期", "行政复议结果") {
			d.AdministrativePenaltyRecord = append(d.AdministrativePenaltyRecord, cr.AdminPenalty{No: r[0], PenaltyOrg: r[1], PenaltyContent: r[2], PenaltyAmount: r[3],
				EffectDate: r[4], DueDate: r[5], AdministrativeReviewResult: r[6]})
		}
	case "住房公积金参缴记录":
		labels := labelSet("参缴地", "参缴日期", "初缴月份", "缴至月份", "缴费状态", "月缴存额", "个人缴存比例", "单位缴存比例", "缴费单位", "信息更新日期")
		for _, rec := range records(kv(tbls, labels), "参缴地") {
			var x cr.HousingFund
			fill(rec, map[string]*string{"参缴地": &x.ContributionPlace, "参缴日期": &x.ContributionDate, "初缴月份": &x.FirstContributionDate, "缴至月份": &x.ContributionDueDate,
				"缴费状态": &x.ContributionState, "月缴存额": &x.AmountPerMonth, "个人缴存比例": &x.SelfContributionProportion, "单位缴存比例": &x.CompanyContributionProportion,
				"缴费单位": &x.ContributionCompany, "信息更新日期": &x.UpdateAt})
			d.HousingProvidentFundContributionRecord = append(d.HousingProvidentFundContributionRecord, x)
		}
	case "低保救助记录":
		for _, r := range w.list(tbls, "编号", "人员类别", "所在地", "工作单位", "家庭月收入", "申请日期", "批准日期", "信息更新日期") {
			d.LowSecurityRescueRecord = append(d.LowSecurityRescueRecord, cr.LowSecurityRescue{No: r[0], PersonType: r[1], Place: r[2], Company: r[3],
				FamilyIncomePerMonth: r[4], ApplyDate: r[5], AgreeDate: r[6], UpdateAt: r[7]})
		}
	case "执业资格记录":
		for _, r := range w.list(tbls, "编号", "执业资格名称", "等级", "获得日期", "到期日期", "吊销日期", "颁发机构", "机构所在地") {
			d.ExecutiveQualificationRecord = append(d.ExecutiveQualificationRecord, cr.Qualification{No: r[0], ExecutiveQualificationName: r[1], Level: r[2],
				GotDate: r[3], DeadlineDate: r[4], RevocationDate: r[5], Issuer: r[6], IssuerPlace: r[7]})
		}
	case "行政奖励记录":
		for _, r := range w.list(tbls, "编号", "奖励机构", "奖励内容", "生效日期", "截止日期") {
			d.AdministrativeRewardRecord = append(d.AdministrativeRewardRecord, cr.AdminReward{No: r[0], RewardCompany: r[1], RewardContent: r[2], EffectDate: r[3], DueDate: r[4]})
		}
	case "非金融信用交易信息":
		w.recordBlocks(p, nonFinanceLabels, func(name, _ string, m map[string]string) {
			x := cr.NonFinanceCreditTrans{Name: name}
			fill(m, map[string]*string{"业务类型": &x.Type, "信用交易编号": &x.No, "开立日期": &x.StartDate, "到期日期": &x.DeadlineDate, "当前负债金额": &x.CurDebtAmount,
				"币种": &x.CurrencyType, "债权人名称": &x.CreditorName, "应还款日": &x.ScheduledPayAt, "逾期金额": &x.OverdueAmount, "逾期天数": &x.OverdueDays,
				"欠息金额": &x.DebitInterestAmount, "缴款金额": &x.PayedAmount, "实际还款日期": &x.RealPayedDate, "当前缴费情况": &x.CurPaymentStatus, "信息更新日期": &x.UpdateAt})
			w.r.NonFinanceCreditTransInfoDetail = append(w.r.NonFinanceCreditTransInfoDetail, x)
		})
	case "公开信息":
		w.recordBlocks(p, openLabels, w.openRecord)
	case "其他非公开信息":
		w.recordBlocks(p, otherNonOpenLabels, func(name, _ string, m map[string]string) {
			x := cr.OtherNonOpen{Name: name}
			fill(m, map[string]*string{"机构名称": &x.CompanyName, "业务类型": &x.Type, "款项名称": &x.PaymentName, "参缴日期": &x.ContributionDate,
				"初缴月份": &x.FirstContributionDate, "缴至月份": &x.ContributionDueDate, "缴费状态": &x.ContributionState, "应缴金额": &x.PayableAmount,
				"实缴金额": &x.PaidAmount, "个人缴存比例": &x.SelfContributionProportion, "单位缴存比例": &x.CompanyContributionProportion,
				"所在单位": &x.ContributionCompany, "信息更新日期": &x.UpdateAt})
			w.r.OtherNonOpenInfo = append(w.r.OtherNonOpenInfo, x)
		})
	}
	return nil
}

var (
	nonFinanceLabels = labelSet("业务类型", "信用交易编号", "开立日期", "到期日期", "当前负债金额", "币种", "债权人名称", "应还款日", "逾期金额", "逾期天数",
		"欠息金额", "缴款金额", "实际还款日期", "当前缴费情况", "信息更新日期")
	otherNonOpenLabels = labelSet("机构名称", "业务类型", "款项名称", "参缴日期", "初缴月份", "缴至月份", "缴费状态", "应缴金额", "实缴金额", "个人缴存比例",
		"单位缴存比例", "所在单位", "信息更新日期")
	openLabels = labelSet("诉讼类型", "诉讼地位", "案号", "案由", "立案日期", "立案法院", "判决法院", "结案日期", "结案方式", "诉讼标的", "诉讼标的金额",
		"限制出境开始日期", "限制出境解除日期", "判决调解结果", "判决调解应付金额", "判决调解生效日期", "信息更新日期",
		"执行法院", "执行案号", "执行案由", "案件状态", "是否被列入失信被执行人名单", "执行立案日期", "执行完毕日期", "申请执行标的", "申请执行标的金额",
		"已执行标的", "已执行标的金额", "认定类别", "认定书编号", "认定内容", "生效日期", "到期日期", "吊销日期", "认定状态", "认定机构名称",
		"惩戒类别", "惩戒决定书编号", "惩戒内容", "惩戒状态", "惩戒机构名称", "欠缴类型", "欠缴证明编号", "应缴金额", "实缴金额", "欠税金额",
		"最近一次缴纳日期", "主管机构名称")
)

// records splits key/value pairs into records, each starting at first.
func records(pairs []pair, first string) []map[string]string {
	var out []map[string]string
	first = norm(first)
	for _, p := range pairs {
		if p.label == first || len(out) == 0 {
			out = append(out, map[string]string{})
		}
		out[len(out)-1][p.label] = p.value
	}
	return out
}

// recordBlocks reads the 记录N blocks of a part as key/value tables.
func (w *walker) recordBlocks(p *part, labels func(string) bool, add func(name, heading string, m map[string]string)) {
	for _, b := range splitBlocks(p.items) {
		if b.name == "" {
			continue
		}
		w.account, w.page = b.name, b.page
		add(b.name, b.heading, kvMap(kv(tables(b.items), labels)))
	}
}

// openRecord files a 公开信息 block by the kind its heading names.
func (w *walker) openRecord(name, heading string, m map[string]string) {
	o := &w.r.OpenInfo
	switch {
	case hasPrefixAny(heading, "判决信息"):
		x := cr.Judgment{Name: name}
		fill(m, map[string]*string{"诉讼类型": &x.LitigationType, "诉讼地位": &x.LitigationStatus, "案号": &x.CaseNumber, "案由": &x.CaseReason,
			"立案日期": &x.FillingDate, "立案法院": &x.FillingCourt, "判决法院": &x.JudgmentCourt, "结案日期": &x.ClosingDate, "结案方式": &x.ClosingType,
			"诉讼标的": &x.Litigation, "诉讼标的金额": &x.LitigationAmount, "限制出境开始日期": &x.RestrictionOutboundStartDate,
			"限制出境解除日期": &x.RestrictionOutboundEndDate, "判决调解结果": &x.ClosingResult, "判决调解应付金额": &x.ClosingAmount,
			"判决调解生效日期": &x.ClosingEffectDate, "信息更新日期": &x.UpdateAt})
		o.JudgmentInfo = append(o.JudgmentInfo, x)
	case hasPrefixAny(heading, "执行信息"):
		x := cr.Execution{Name: name}
		fill(m, map[string]*string{"执行法院": &x.ExecuteCourt, "执行案号": &x.ExecuteNumber, "执行案由": &x.ExecuteReason, "结案方式": &x.ClosingType,
			"案件状态": &x.CaseState, "是否被列入失信被执行人名单": &x.InDishonestList, "执行立案日期": &x.FillingDate, "执行完毕日期": &x.ClosingDate,
			"申请执行标的": &x.ApplyExecuteSubject, "申请执行标的金额": &x.ApplyExecuteSubjectAmount, "已执行标的": &x.ExecutedSubject,
			"已执行标的金额": &x.ExecutedSubjectAmount, "信息更新日期": &x.UpdateAt})
		o.ExecutionInfo = append(o.ExecutionInfo, x)
	case hasPrefixAny(heading, "认定类信息"):
		x := cr.Confirm{Name: name}
		fill(m, map[string]*string{"认定类别": &x.Type, "认定书编号": &x.ConfirmationNo, "认定内容": &x.ConfirmationContent, "生效日期": &x.EffectDate,
			"到期日期": &x.DeadlineDate, "吊销日期": &x.RevocationDate, "认定状态": &x.ConfirmationState, "认定机构名称": &x.ConfirmationCompany})
		o.ConfirmInfo = append(o.ConfirmInfo, x)
	case hasPrefixAny(heading, "惩戒类信息"):
		x := cr.Punishment{Name: name}
		fill(m, map[string]*string{"惩戒类别": &x.Type, "惩戒决定书编号": &x.PunishmentNo, "惩戒内容": &x.PunishmentContent, "生效日期": &x.EffectDate,
			"到期日期": &x.DeadlineDate, "惩戒状态": &x.PunishmentState, "惩戒机构名称": &x.PunishmentCompany})
		o.PunishmentInfo = append(o.PunishmentInfo, x)
	case hasPrefixAny(heading, "欠缴信息"):
		x := cr.Arrears{Name: name}
		fill(m, map[string]*string{"欠缴类型": &x.ArrearsType, "欠缴证明编号": &x.ArrearsNo, "应缴金额": &x.PayableAmount, "实缴金额": &x.PaidAmount,
			"欠税金额": &x.OwingTaxAmount, "最近一次缴纳日期": &x.LatestPaidDate, "主管机构名称": &x.ArrearsCompany})
		o.ArrearsInfo = append(o.ArrearsInfo, x)
	}
}
