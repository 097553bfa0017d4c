# Complaint e-mails (issue 7): to the complainant and, on escalation, to staff.
email-complaint-received-subject = [{ $receipt_no }] 您的投诉已受理
email-complaint-received-body =
    { $name }，您好：
    我们已收到您的投诉，受理编号为 { $receipt_no }。我们将在 1 个工作日内与您联系，并在 { $decision_deadline } 前答复处理结果。
    您可凭受理编号和手机号后四位在投诉查询页面查看进度。
email-complaint-acknowledged-subject = [{ $receipt_no }] 您的投诉正在处理
email-complaint-acknowledged-body =
    { $name }，您好：
    您的投诉（受理编号 { $receipt_no }）已由专人处理，我们将在 { $decision_deadline } 前答复。
email-complaint-extended-subject = [{ $receipt_no }] 投诉处理期限延长
email-complaint-extended-body =
    { $name }，您好：
    因以下原因，您的投诉（受理编号 { $receipt_no }）处理期限延长至受理后 { $to_days } 日，即 { $decision_deadline } 前：
    { $reason }
email-complaint-decided-subject = [{ $receipt_no }] 投诉处理答复
email-complaint-decided-body =
    { $name }，您好：
    您的投诉（受理编号 { $receipt_no }）处理答复如下：
    { $decision }
    如对处理结果不满意，您可以向收单银行、中国银联（95516）、中国人民银行（12363）、市场监督管理部门（12315）、消费者协会反映，或申请调解、向人民法院提起诉讼。
email-complaint-escalated-subject = [{ $receipt_no }] 投诉时限提醒
email-complaint-escalated-body =
    投诉 { $receipt_no }（状态：{ $status }）的答复期限为 { $decision_deadline }，请及时处理。
complaint-linked-repair = 维修单（工单 { $number }）
complaint-link-repair = 或关联维修单编号（留空则关联上面的工单）
complaint-step-extended = 处理期限延长至受理后 { $days } 日：{ $reason }
