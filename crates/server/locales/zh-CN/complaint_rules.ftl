# Complaint clock rules page (issue 7).
crules-title = 投诉处理时限
crules-intro = 受理告知、答复期限与延期规则。默认依照 2020 年银行保险机构消费投诉处理办法：受理后 15 日内答复，情况复杂可延长至 30 日，特殊情况经管理人员批准最多延长至 60 日。
crules-saved = 投诉处理时限已保存，进行中的投诉按新规则重新计算。
crules-ack = 受理告知时限（工作分钟）
crules-ack-hint = 600 工作分钟为 1 个工作日（08:00–18:00）。
crules-days = 答复期限（自受理日起的天数）
crules-steps = 延期档位
crules-steps-hint = 每一档须长于前一档，最多 366 天；留空的行不保存。
crules-step-days = 延长至（天）
crules-step-manager = 需管理人员批准
