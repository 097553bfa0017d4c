## posdesk 界面文字（简体中文，默认语言）。键名与 locales/en/main.ftl 一一对应。

app-name = posdesk 售后服务台
footer-text = posdesk · POS 收单服务商售后服务平台 · 时间均为北京时间（Asia/Shanghai）

## 语言

lang-zh = 中文
lang-en = English
lang-switch = 切换语言

## 角色

role-platform-admin = 平台管理员
role-provider-admin = 服务商管理员
role-agent = 客服坐席
role-technician = 维修工程师
role-supervisor = 主管
role-complaints-officer = 投诉专员
role-risk-officer = 风控专员
role-auditor = 审计
role-merchant-user = 商户用户
role-terminal-agent = 终端
role-system = 系统

## 导航

nav-label = 主导航
nav-home = 首页
nav-users = 用户
nav-audit = 审计记录
nav-announcements = 服务公告
nav-merchants = 商户
nav-terminals = 终端
nav-providers = 服务商
nav-calendar = 营业日历
nav-holidays = 节假日安排
nav-account = 我的账户
nav-logout = 退出登录

## 登录

login-title = 登录
login-intro = 请使用您的账户登录 posdesk 售后服务台。
login-submit = 登录
login-help = 忘记密码或账户被停用，请联系您所在服务商的管理员。
login-failed = 登录名或密码不正确，或该账户无法登录。
login-throttled = 尝试次数过多，请 15 分钟后再试。
totp-title = 两步验证
totp-intro = 请输入身份验证器应用中显示的 6 位动态验证码。
totp-submit = 验证
totp-cancel = 取消并返回登录
totp-failed = 验证码不正确或已过期。

## 首页

dashboard-title = 首页
dashboard-greeting = 您好，{ $name }（{ $role }）
dashboard-provider = 所属服务商：{ $name }
dashboard-announcements = 最新公告
dashboard-all-announcements = 全部公告
dashboard-no-announcements = 暂无已发布的公告。
dash-users-desc = 管理账户、角色与登录权限
dash-audit-desc = 查看每一次变更的操作人、时间与前后内容
dash-announcements-desc = 维护窗口、收费调整、节假日服务时间
dash-merchants-desc = 签约商户及其商户编号（MID）
dash-terminals-desc = 终端序列号、终端号与状态
dash-providers-desc = 登记和查看服务商（租户）
dash-account-desc = 个人资料、密码、两步验证与 API 令牌
dash-calendar-desc = 营业时间、法定节假日与调休、特别日期
dash-holidays-desc = 载入国务院办公厅每年的放假通知

## 通用

save = 保存
filter-any = 全部
filter-apply = 筛选
filter-reset = 重置
select-choose = 请选择…
list-empty = 没有符合条件的记录。
page-next = 下一页
page-first = 回到第一页

## 字段

field-login = 登录名
field-password = 密码
field-initial-password = 初始密码
field-new-password = 新密码
field-current-password = 当前密码
field-display-name = 姓名
field-email = 电子邮箱
field-role = 角色
field-provider = 服务商
field-merchant = 商户
field-terminal = 终端
field-locale = 语言
field-status = 状态
field-created = 创建时间
field-updated = 更新时间
field-id = 编号
field-totp = 两步验证
field-totp-code = 验证码
field-name = 名称
field-short-name = 简称
field-uscc = 统一社会信用代码
field-hotline = 服务热线
field-title = 标题
field-body = 正文
field-audience = 发布对象
field-expires-days = 有效天数（可选）
field-date-from = 起始日期
field-date-to = 截止日期
field-page = 分页参数
field-mid = 商户编号（MID）
field-contact = 联系人
field-phone = 联系电话
field-address = 地址
field-sn = 序列号（SN）
field-tid = 终端号（TID）
field-model = 型号
field-manufacturer = 厂商
field-firmware = 固件版本
field-year = 年份
field-date = 日期
field-day-rule = 安排
field-hours = 营业时间
field-note = 备注
field-weekly-hours = 每周营业时间
field-weekday-hours = { $day }营业时间
field-makeup-weekday = 调休上班日按此日营业
field-import-file = 导入文件
field-schedule = 年度安排

## 提示

hint-login = 3–64 位小写字母、数字或 . _ -，以字母或数字开头。
hint-email-welcome = 填写后将发送开户通知邮件。
hint-initial-password = 至少 10 个字符；留空则需管理员稍后重置密码后才能登录。
hint-merchant-user = 商户用户只能看到所绑定商户的数据。
hint-terminal-agent = 终端身份仅用于接口调用，不能登录网页。
hint-reset-password = 重置后该用户的所有会话立即失效，并会收到邮件通知。
hint-password-rules = 至少 10 个字符，不能全部相同。
hint-disable = 停用后该账户的会话立即结束，其 API 令牌全部吊销。

## 状态与分类

status-active = 正常
status-disabled = 已停用
status-suspended = 已停机
status-in-stock = 在库
status-installed = 已安装
status-in-repair = 维修中
status-loaner = 备用机
status-retired = 已报废
status-draft = 草稿
status-published = 已发布
status-archived = 已归档
audience-staff = 服务商员工
audience-merchants = 商户

## 用户

users-title = 用户
users-intro = 服务商员工与商户用户的账户。
users-create = 新建用户
users-create-submit = 创建用户
user-title = 用户 { $login }
user-profile = 账户信息
user-edit = 编辑资料
user-disable = 停用账户
user-enable = 启用账户
user-reset-password = 重置密码
user-reset-password-submit = 设置新密码
user-platform = 平台（不属于任何服务商）

## 审计

audit-title = 审计记录
audit-intro = 所有变更均按时间倒序记录，且以哈希链防篡改，只能查看不能修改。
audit-time = 时间
audit-actor = 操作人
audit-role = 角色
audit-entity = 对象
audit-entity-type = 对象类型
audit-entity-id = 对象编号
audit-action = 操作
audit-changes = 变更内容
audit-show-changes = 查看变更前后
audit-before = 变更前
audit-after = 变更后
audit-request-id = 请求编号
audit-timezone = 日期按北京时间（UTC+8）计算，截止日期当天包含在内。
entity-user = 用户
entity-provider = 服务商
entity-announcement = 公告
entity-api-token = API 令牌
entity-merchant = 商户
entity-terminal = 终端
entity-webhook = Webhook
entity-holiday-year = 全国节假日安排
entity-calendar = 营业日历
entity-calendar-day = 特别日期
action-create = 创建
action-update = 修改
action-disable = 停用
action-enable = 启用
action-reset-password = 重置密码
action-change-password = 修改密码
action-enable-totp = 开启两步验证
action-disable-totp = 关闭两步验证
action-login = 登录
action-login-password = 密码验证（待两步验证）
action-logout = 退出登录
action-publish = 发布
action-archive = 归档
action-revoke = 吊销
action-deactivate = 停用
action-replace = 替换
action-remove = 删除

## 公告

announcements-title = 服务公告
announcements-intro = 维护窗口、收费调整、节假日服务时间等通知。
announcements-empty = 暂无公告。
announcements-create = 新建公告
announcements-create-submit = 保存公告
announcements-publish-now = 立即发布
announcements-publish = 发布
announcements-archive = 归档
announcements-created = 创建于
announcements-published = 发布于

## 服务商、商户、终端

providers-title = 服务商
providers-intro = 平台上登记的服务商（租户），各服务商的数据相互隔离。
providers-create = 登记服务商
providers-create-submit = 登记
merchants-title = 商户
merchants-intro = 您有权查看的商户。
terminals-title = 终端
terminals-intro = 您有权查看的终端。

## 营业日历

calendar-title = 营业日历
calendar-intro = 工单时限按此日历计算：每周营业时间，叠加国务院办公厅公布的法定节假日与调休，再叠加本服务商的特别日期。
calendar-holidays-link = 查看全国节假日安排
calendar-year = { $year } 年
calendar-this-year = 回到今年
calendar-missing-years = { $years } 年的全国节假日安排尚未载入：这些日期暂只按周末及元旦、劳动节、国庆节的固定日期休息，相关时限均为临时结果，载入后可能变化。请平台管理员载入国务院办公厅的放假通知。
calendar-legend = 图例
calendar-grid-hint = 将鼠标停在日期上可查看当天的安排、原因与营业时间；手机上请查看下方的节假日与特别日期列表。
calendar-special-days = { $year } 年的节假日、调休与特别日期
calendar-weekly = 每周营业时间
calendar-hours-hint = 格式为 HH:MM-HH:MM，多段用逗号分隔，如 08:30-12:00,13:30-17:30；不营业填 closed 或留空。
calendar-makeup-hint = 国家调休上班的周末，按所选工作日的营业时间营业。
calendar-hours-submit = 保存营业时间
calendar-error-no-hours = 每周至少要有一天营业。
calendar-overrides = 特别日期
calendar-overrides-intro = 本服务商自己的休息日、加班日或特别营业时间，优先于全国安排。
calendar-overrides-empty = 暂无特别日期。
calendar-override-remove = 删除
calendar-override-gone = { $date } 没有特别安排（可能已被删除），请查看最新列表。
calendar-override-add = 新增或替换特别日期
calendar-override-submit = 保存
calendar-override-hint = 同一日期再次保存会替换原有安排。选择“营业（按调休上班日时间）”时，当天按“每周营业时间”中为调休上班日选定的工作日时间营业。
calendar-note-placeholder = 如：年会、系统升级
calendar-import-export = 导入与导出
calendar-export-csv = 导出 CSV
calendar-export-ics = 导出 iCalendar (.ics)
calendar-export-hint = 导出本服务商的特别日期，可在表格软件或日历应用中打开。
calendar-import = 导入特别日期
calendar-import-hint = 支持 CSV（每行 日期,off 或 work,名称）和 iCalendar（全天事件）。文件须为 UTF-8 编码。
calendar-import-paste = 或直接粘贴内容
calendar-import-placeholder = 2026-03-11,off,年会
calendar-import-replace = 替换现有的全部特别日期（不勾选则合并）
calendar-import-submit = 导入
calendar-import-not-utf8 = 文件不是 UTF-8 编码。若由 Excel 导出，请另存为“CSV UTF-8（逗号分隔）”格式后再导入。
legend-work = 营业日
legend-off = 休息日
legend-holiday = 法定节假日
legend-makeup = 调休上班
legend-provisional = 临时（安排未载入）
legend-override = 本服务商特别日期
legend-today = 今天
day-date = { $date }（{ $weekday }）
day-kind-work = 营业
day-kind-off = 休息
day-mark-off = 休
day-mark-work = 班
day-hours = 营业时间 { $hours }
day-provisional = 本年度全国安排尚未载入，结果为临时，可能变化。
day-reason-weekly-work = 按每周营业时间
day-reason-weekly-off = 按每周营业时间休息
day-reason-holiday = 法定节假日：{ $name }
day-reason-makeup = 调休上班：{ $name }
day-reason-provisional-holiday = 法定节假日（临时）：{ $name }
day-reason-override = 本服务商特别日期
day-reason-override-note = 本服务商特别日期：{ $note }
day-rule-closed = 休息（全天不营业）
day-rule-open = 营业（按调休上班日时间）
day-rule-hours = 特别营业时间
hours-closed = 不营业
date-range = { $from } 至 { $to }，共 { $count } 天
list-separator = 、
weekday-mon = 星期一
weekday-tue = 星期二
weekday-wed = 星期三
weekday-thu = 星期四
weekday-fri = 星期五
weekday-sat = 星期六
weekday-sun = 星期日
weekday-short-mon = 一
weekday-short-tue = 二
weekday-short-wed = 三
weekday-short-thu = 四
weekday-short-fri = 五
weekday-short-sat = 六
weekday-short-sun = 日
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月

## 全国节假日安排

holidays-title = 全国节假日安排
holidays-intro = 国务院办公厅每年公布的部分节假日安排，适用于所有服务商。未载入的年份只按周末及元旦、劳动节、国庆节的固定日期计算，时限为临时结果。
holidays-missing = { $years } 年的全国节假日安排尚未载入，相关时限均为临时结果。请联系平台管理员载入国务院办公厅的放假通知。
holidays-missing-manage = { $years } 年的全国节假日安排尚未载入，相关时限均为临时结果。国务院办公厅发布通知后，请用“载入年度安排”表单载入。
holidays-origin = 来源
holidays-origin-builtin = 内置
holidays-origin-loaded = 已载入
holidays-sources = 通知
holidays-days-off = 休息日数
holidays-make-up-days = 调休上班日数
holidays-loaded-by = 载入人
holidays-loaded-at = 载入时间
holidays-table-hint = “内置”为程序自带的年份；“已载入”的年份替换内置内容。
holidays-load = 载入年度安排
holidays-load-intro = 粘贴一个或多个年份的安排。每一行都先校验，全部无误才会保存；已有的年份会被替换。
holidays-load-submit = 校验并载入
holidays-format = 格式
holidays-format-year = 开始某一年的安排
holidays-format-source = 通知文号与标题，每年至少一行
holidays-format-off = 放假日（可写日期范围，含两端）及节日名称
holidays-format-work = 调休上班日（须为周六或周日）及节日名称
holidays-format-example = 示例（仅说明格式，请以通知原文为准）：

## 我的账户

account-title = 我的账户
account-profile = 个人资料
account-change-password = 修改密码
account-change-password-submit = 修改密码
totp-section = 两步验证（TOTP）
totp-on = 已开启
totp-off = 未开启
totp-enrol-intro = 在身份验证器应用中添加下面的密钥（或导入 otpauth 链接），然后输入应用显示的验证码以确认开启。
totp-secret = 密钥（Base32）
totp-uri = otpauth 链接
totp-enable = 确认开启
totp-disable-intro = 关闭两步验证需输入当前验证码。
totp-disable = 关闭两步验证
tokens-title = API 令牌
tokens-intro = 用于以您的身份调用 posdesk 接口，权限不超过您的角色。
tokens-empty = 还没有令牌。
tokens-create = 生成令牌
tokens-issued = 新令牌已生成
tokens-issued-once = 请立即复制保存，此令牌只显示这一次。
tokens-prefix = 前缀
tokens-expires = 到期时间
tokens-last-used = 最近使用
tokens-revoke = 吊销
token-never = 永不过期
token-state-active = 有效
token-state-expired = 已过期
token-state-revoked = 已吊销

## 操作结果

flash-logged-out = 您已安全退出。
flash-language-changed = 语言已切换。
flash-user-created = 用户已创建。
flash-user-saved = 用户资料已保存。
flash-user-disabled = 账户已停用。
flash-user-enabled = 账户已启用。
flash-password-reset = 密码已重置。
flash-announcement-created = 公告已保存。
flash-announcement-published = 公告已发布。
flash-announcement-archived = 公告已归档。
flash-provider-created = 服务商已登记。
flash-password-changed = 密码已修改，其他设备上的会话已结束。
flash-totp-enabled = 两步验证已开启，下次登录时需要输入验证码。
flash-totp-disabled = 两步验证已关闭。
flash-token-revoked = 令牌已吊销。
flash-calendar-hours-saved = 每周营业时间已保存。
flash-calendar-override-saved = 特别日期已保存。
flash-calendar-override-removed = 特别日期已删除。
flash-calendar-imported = 导入完成：新增 { $added } 天，替换 { $replaced } 天，删除 { $removed } 天，未变 { $unchanged } 天。
flash-holidays-loaded = 已载入 { $years } 年的全国节假日安排。

## 错误

error-title = 无法完成操作
error-home = 返回首页
error-forbidden-title = 没有权限
error-forbidden = 您的角色无权进行此操作或查看此页面。
error-not-found-title = 页面不存在
error-not-found = 找不到该页面或记录，它可能不存在或不属于您的服务商。
error-throttled-title = 请求过于频繁
error-throttled = 尝试次数过多，请稍后再试。
error-internal-title = 系统错误
error-internal = 系统出现错误，请稍后重试；如果问题持续，请联系平台管理员。
error-unavailable = 服务暂时不可用，请稍后重试。
error-unauthenticated = 请先登录。
error-csrf = 表单已失效或来源不明（安全校验失败），操作未执行。请返回上一页，刷新后重新提交。
error-too-large = 提交的内容过大。
error-bad-request = 请求格式不正确。
error-field = { $field }：{ $rule }
error-taken = { $field }已被使用，请换一个。
error-illegal-transition = 当前状态下不能进行此操作，请刷新页面查看最新状态。
error-self-disable = 不能停用自己的账户。
error-already-revoked = 该令牌已被吊销。
error-totp-off = 两步验证尚未开启。
error-conflict = 操作与记录的当前状态冲突，请刷新后重试。
error-stale = 该记录已被他人修改。请刷新页面，在最新内容上重新编辑后再保存。
rule-required = 必填
rule-too-short = 至少 { $min } 个字符
rule-too-long = 最多 { $max } 个字符
rule-pattern = 格式不正确
rule-one-of = 不是可选的值
rule-range = 应在 { $min } 到 { $max } 之间
rule-invalid = 无效
rule-line = 第 { $line } 行有误：{ $message }

## 邮件

email-welcome-subject = 您的 posdesk 账户已开通
email-welcome-body =
    { $name }，您好：
    已为您开通 posdesk 售后服务台账户，登录名为 { $login }。
    如未设置初始密码，请联系您所在服务商的管理员获取。
    此邮件由系统自动发送，请勿直接回复。
email-password-reset-subject = 您的 posdesk 密码已被重置
email-password-reset-body =
    { $name }，您好：
    管理员已重置您的 posdesk 账户（登录名 { $login }）的密码，您之前的所有登录会话已失效。
    如果这不是您预期的操作，请立即联系您所在服务商的管理员。
    此邮件由系统自动发送，请勿直接回复。
email-ticket-received-subject = 已受理您的报修：{ $subject } { $tag }
email-ticket-received-body =
    您好：
    我们已受理您的工单 { $number }（{ $subject }），服务人员将按服务承诺尽快与您联系。
    回复本邮件即可补充说明，请保留主题中的工单编号 { $tag }。
    此邮件由系统自动发送。
email-ticket-replied-subject = 工单 { $number } 有新回复 { $tag }
email-ticket-replied-body =
    您好：
    服务人员回复了您的工单 { $number }（{ $subject }）：
    { $body }
    直接回复本邮件即可继续沟通，请保留主题中的工单编号 { $tag }。
email-ticket-merchant-replied-subject = 商户回复了工单 { $number } { $tag }
email-ticket-merchant-replied-body =
    商户回复了您负责的工单 { $number }（{ $subject }）：
    { $body }
email-ticket-resolved-subject = 工单 { $number } 已解决 { $tag }
email-ticket-resolved-body =
    您好：
    您的工单 { $number }（{ $subject }）已处理完毕。
    如问题仍未解决，可在 7 天内于商户门户重新打开该工单，或直接回复本邮件。
    请确认处理结果并评价本次服务（1–5 星）：{ $public_url }/feedback/{ $feedback_token }
    3 个工作日内未确认的，工单将自动关闭。
email-ticket-waiting-merchant-subject = 工单 { $number } 需要您的回复 { $tag }
email-ticket-waiting-merchant-body =
    您好：
    处理您的工单 { $number }（{ $subject }）需要您提供更多信息，请登录商户门户或直接回复本邮件。
email-ticket-reopened-subject = 工单 { $number } 已被重新打开 { $tag }
email-ticket-reopened-body =
    您负责的工单 { $number }（{ $subject }）已被重新打开，请尽快跟进。
email-ticket-assigned-subject = 工单 { $number } 已分派给您 { $tag }
email-ticket-assigned-body =
    工单 { $number }（{ $subject }，优先级 { $priority }）已分派给您，请及时处理。
email-ticket-escalated-subject = 【升级】工单 { $number } { $tag }
email-ticket-escalated-body =
    工单 { $number }（{ $subject }，优先级 { $priority }）触发了服务时限升级（{ $escalation }，动作 { $action }）。
    请立即查看并处理。
email-ticket-late-subject = 工单 { $number } 处理时间延后 { $tag }
email-ticket-late-body =
    您好：
    很抱歉，您的工单 { $number }（{ $subject }）无法在承诺时间内修复。
    原因：{ $reason }
    新的预计完成时间：{ $estimate }（北京时间）
    如有疑问请回复本邮件或致电服务热线。
email-ticket-merged-subject = 工单 { $number } 已合并至 { $into } { $tag }
email-ticket-merged-body =
    您好：
    您的工单 { $number } 与工单 { $into } 反映的是同一问题，已合并，后续进展请关注工单 { $into }。

## 工单：预计修复、延期通知、合并与拆分

ticket-expected-fix = 预计修复时间：
ticket-late-notices = 延期通知
ticket-late-notice = 通知商户：修复将延期
ticket-late-intro = 仅当解决时限已超时或剩余不足 2 个工作小时时可发送；商户将收到原因与新的预计时间。
ticket-late-reason = 延期原因
ticket-late-new-estimate = 新的预计完成时间
ticket-late-submit = 发送延期通知
ticket-merge = 合并重复工单
ticket-merge-intro = 把本工单作为重复工单合并到另一张同一商户的处理中工单，本工单的时限随即停止。
ticket-merge-target = 合并到（工单编号）
ticket-merge-submit = 合并
ticket-split = 拆分出新工单
ticket-split-submit = 拆分
ticket-link-merged-into = 已合并到
ticket-link-merged-from = 合并自
ticket-link-split-from = 拆分自
ticket-link-split-into = 拆分出
ticket-report-photos = 照片或文件（可选）
ticket-report-photos-hint = 最多 3 个，每个不超过 10 MB（JPEG、PNG、WebP 或 PDF）。

## 服务商资料

nav-provider = 服务商资料
dash-provider-desc = 许可证、服务热线、保修政策与收费标准
dashboard-licence-expires-soon = 本服务商的支付业务许可证（或收单机构授权）将在 { $days } 天后到期，请尽快办理续展并更新资料。
dashboard-licence-expired = 本服务商的支付业务许可证（或收单机构授权）已过期 { $days } 天，请立即更新资料。
dashboard-licence-link = 查看服务商资料
profile-title = 服务商资料
profile-licence = 业务许可
profile-licence-valid = 有效期
profile-licence-validity = { $from } 至 { $to }
licence-valid = 有效
licence-expires-soon = 即将到期（剩余 { $days } 天）
licence-expired = 已过期（{ $days } 天前）
licence-not-yet-valid = 尚未生效
licence-missing = 未登记
licence-kind-none = 未登记
licence-kind-payment = 支付业务许可证
licence-kind-bank = 收单机构授权
profile-service = 服务信息
profile-none = 未填写
profile-months = { $months } 个月
profile-fees = 收费标准
profile-fees-empty = 尚未公布收费标准。
profile-edit = 编辑资料
profile-submit = 保存资料
profile-hotlines-hint = 每行一个号码，最多 5 个（手机或座机，如 0571-88886666）。
profile-warranty-hint = 每行一个型号：型号,月数（如 A920,24）；未列出的型号按默认保修期。
profile-warranty-columns = 应为“型号,月数”
profile-fees-hint = 每行一项：编码,名称,类别,价格（元）,单位，例如 LAB-ONSITE,上门服务费,labour,50.00,次。类别为 part（配件）、labour（人工）或 other（其他）；价格最多两位小数。
profile-fees-columns = 应为“编码,名称,类别,价格,单位”
profile-logo = 标志
profile-logo-file = 标志图片
profile-logo-hint = PNG、JPEG 或 WebP，不超过 256 KiB。
profile-logo-submit = 上传标志
fee-kind-part = 配件
fee-kind-labour = 人工
fee-kind-other = 其他
field-licence-kind = 许可类型
field-licence-number = 许可证编号
field-licence-valid-from = 生效日期
field-licence-valid-to = 到期日期
field-hotlines = 服务热线
field-service-hours = 服务时间
field-warranty-policy = 保修政策
field-warranty-default = 默认保修期（月）
field-warranty-months = 保修期
field-warranty-months-by-model = 各型号保修期
field-fees = 收费标准
field-fee-item = 收费标准第 { $n } 项{ $part }
field-fee-code = 编码
field-fee-kind = 类别
field-price = 价格
field-unit = 单位
field-version = 版本
flash-profile-saved = 服务商资料已保存。
flash-logo-saved = 标志已更新。
flash-service-point-created = 服务网点已创建。
flash-service-point-saved = 服务网点已保存。
nav-service-points = 服务网点
dash-service-points-desc = 各地服务网点、营业时间、技能与维修工程师

## 服务网点

service-points-title = 服务网点
service-points-intro = 本服务商的服务网点，按省份排列：营业时间、可承接的服务与驻点维修工程师。
service-points-empty = 尚未登记服务网点。
service-points-create = 新建服务网点
service-points-create-submit = 创建服务网点
service-points-back = ‹ 返回服务网点列表
service-points-division-hint = 6 位行政区划代码（市或区县级，如 330106 杭州市西湖区）。
service-points-technicians-hint = 按住 Ctrl（Mac 上为 ⌘）可多选；只能选择本服务商在职的维修工程师。
service-point-active = 营业中
service-point-inactive = 已停用
service-point-active-label = 营业中（取消勾选即停用）
service-point-edit = 编辑服务网点
service-point-calendar-intro = 按本网点的营业时间计算，叠加全国节假日、本服务商的特别日期和本网点的特别日期。
field-division-code = 行政区划代码
field-skills = 服务项目
field-technicians = 维修工程师
skill-install = 装机验收
skill-hardware-repair = 硬件维修
skill-peripherals = 读卡与打印
skill-software = 软件/固件/参数
skill-network = 网络通讯
skill-training = 商户培训
skill-mail-in = 寄修

## 终端批量导入

terminals-export = 导出 CSV
terminals-import = 批量导入
import-title = 终端批量导入
import-back = ‹ 返回终端列表
import-intro = 上传 CSV 或 Excel（XLSX）文件，按序列号新增或更新终端；同一文件重复导入不会产生重复记录。
import-hint = CSV（UTF-8、UTF-16 或 GBK/GB18030 编码）或 XLSX（读取第一个工作表），不超过 64 MiB；首行为表头：序列号,终端号,型号,厂商,状态,商户号,安装日期,保修截止,装机地址。
import-submit = 开始导入
import-summary = 导入结果
import-rows = 数据行数
import-inserted = 新增
import-updated = 更新
import-unchanged = 未变化
import-rejected = 未导入
import-encoding = 文件编码
import-encoding-unknown = 未识别
import-rejected-rows = 未导入的行
import-row = 行号
import-column = 列
import-rule = 原因
import-truncated = 仅列出前 1000 行，请修正后重新导入。
field-install-date = 安装日期
field-warranty-end = 保修截止
field-installed-address = 装机地址
service-point-technician-count = { $count } 名维修工程师

## Terminal page and bindings

terminal-back = ← 返回终端列表
terminal-title = 终端
terminal-intro = 终端的资料、保修、当前绑定（人民银行 259 号文要求的五项信息）和完整历史。
terminal-warranty-today = 今日保修状态
terminal-history = 历史记录
terminal-transition = 状态变更
terminal-done-moved = 终端状态已变更。
terminal-history-placed = 布放于 { $address }（商户号 { $mid }）
terminal-event-install = 安装
terminal-event-activate = 激活
terminal-event-uninstall = 撤装
terminal-event-suspend = 停机
terminal-event-reinstate = 恢复使用
terminal-event-recover = 回收
terminal-event-send-to-repair = 送修
terminal-event-return-to-merchant = 修复返还商户
terminal-event-return-to-stock = 修复入库
terminal-event-lend = 借出备用机
terminal-event-return-loaner = 备用机归还
terminal-event-retire = 报废
terminal-action-bind = 绑定
terminal-action-relocate = 移机
terminal-action-unbind = 解绑
terminal-action-end-binding = 绑定结束
terminal-action-import-update = 导入更新
warranty-unknown = 未登记保修
warranty-not-started = 尚未安装
warranty-in = 在保
warranty-expired = 已过保
binding-current = 当前绑定
binding-five-items = 机身序列号绑定的收单机构代码、商户编号、商户统一社会信用代码（或负责人身份证号）、结算账户和布放地址。
binding-none = 该终端目前没有绑定。
binding-history = 绑定记录
binding-started = 开始时间
binding-ended = 结束时间
binding-end-reason = 结束原因
binding-is-current = 当前
binding-end-relocated = 移机
binding-end-unbound = 解绑
binding-end-status-change = 终端状态变更
binding-acquirer-code = 收单机构代码
binding-acquirer-hint = 3 位数字，与商户号前三位一致。
binding-settlement-account = 结算账户
binding-account-hint = 输入完整卡号用于校验，系统只保存前 6 位和后 4 位。
binding-placement-address = 布放地址
binding-new-address = 新布放地址
binding-owner-id = 负责人身份证号
binding-verified-by = 核验人
binding-note = 核验说明
binding-warranty-hint = 留空则按机型保修期自安装日期起计算。
binding-keep-hint = 留空则沿用当前绑定的信息。
binding-bind = 绑定商户
binding-bind-intro = 核验五项信息后，把终端绑定到商户并登记安装。
binding-bind-submit = 绑定
binding-relocate = 移机
binding-relocate-intro = 在新布放地点重新核验后，结束当前绑定并建立新的绑定；原绑定保留在记录中。
binding-reverified = 重新核验
binding-reverified-label = 已在新布放地点重新核验五项信息
binding-relocate-submit = 确认移机
binding-unbind = 解绑
binding-unbind-intro = 结束当前绑定并将终端收回库存。
binding-unbind-reason = 解绑原因
binding-unbind-submit = 解绑
binding-done-bound = 终端已绑定。
binding-done-relocated = 移机已完成。
binding-done-unbound = 终端已解绑。
binding-error-already-bound = 该终端已有当前绑定，请先移机或解绑。
binding-error-not-bound = 该终端没有当前绑定。
binding-error-placed-elsewhere = 该终端布放在其他商户，请先收回再绑定。
binding-error-merchant-status = 该商户当前状态不能绑定终端。

# Merchants: registration, the merchant page (contacts, business hours), merchant import
merchant-new = 登记商户
merchant-new-title = 登记商户
merchant-new-intro = 登记后商户为“待入网”状态，入网审核通过并装机后转为正常。
merchant-new-submit = 登记
merchant-back = ‹ 返回商户列表
merchant-edit = 编辑商户信息
merchant-facts = 登记信息
merchant-field-kind = 商户类型
merchant-field-owner-id = 经营者身份证号
merchant-field-risk = 风险等级
merchant-kind-company = 企业
merchant-kind-individual = 个体工商户
merchant-kind-micro = 小微商户
merchant-kind-hint = 企业填统一社会信用代码；小微商户填经营者身份证号；个体工商户填其一。
merchant-mid-hint = 15 位数字（收单机构 3 位 + 地区 4 位 + 行业 4 位 + 顺序号 4 位），在本服务商内唯一。
merchant-identity-keep-hint = 留空则保留已登记的证件号码；填写则替换。
merchant-phone-hint = 手机号（11 位）或固定电话（如 0571-88886666）。
merchant-risk-low = 低
merchant-risk-medium = 中
merchant-risk-high = 高
merchant-status-pending = 待入网
merchant-status-active = 正常
merchant-status-suspended = 已暂停
merchant-status-closed = 已解约
merchant-contacts = 联系人
merchant-contacts-empty = 尚未登记联系人。
merchant-contacts-edit = 编辑联系人
merchant-contacts-hint = 最多 10 位联系人，每位须有电话；选中的为主要联系人（未选则第一位）。清空某行即删除该联系人。
merchant-contact-name = 姓名
merchant-contact-role = 职责
merchant-contact-primary = 主要联系人
merchant-contact-field = 第 { $n } 位联系人的{ $part }
merchant-contact-role-owner = 店主/法定代表人
merchant-contact-role-manager = 店长
merchant-contact-role-cashier = 收银员
merchant-contact-role-finance = 财务
merchant-contact-role-technical = 技术
merchant-contact-role-other = 其他
merchant-hours-empty = 尚未登记营业时间。
merchant-hours-edit = 编辑营业时间
merchant-hours-hint = 每天填 HH:MM-HH:MM，可用逗号分隔多段；留空或填 closed 为休息；跨午夜的时间填在次日（如 00:00-02:00）。七天全部留空表示不登记营业时间。上门服务安排在营业时间内，固件升级安排在营业时间外。
merchant-done-created = 商户已登记。
merchant-done-saved = 商户信息已保存。
merchant-done-contacts = 联系人已保存。
merchant-done-hours = 营业时间已保存。
merchants-export-csv = 导出 CSV
merchants-export-xlsx = 导出 Excel
merchants-import = 批量导入
merchant-import-title = 商户批量导入
merchant-import-intro = 上传 CSV 或 Excel（XLSX）文件，按商户号新增或更新商户；同一文件重复导入不会产生重复记录。空白单元格不会清除已登记的信息。
merchant-import-hint = CSV（UTF-8、UTF-16 或 GBK/GB18030 编码）或 XLSX（读取第一个工作表），不超过 64 MiB；首行为表头：商户号,商户名称,商户类型（必填）,统一社会信用代码,经营者身份证号,风险等级,行政区划代码,经营地址,联系人,联系电话,营业时间,状态。营业时间如：周一至周五 09:00-21:00；周六 10:00-14:00。
import-format = 文件格式
import-encoding-na = 不适用
import-export-csv = 导出 CSV
import-export-xlsx = 导出 Excel

# Merchant onboarding (入网申请): list, review queue, application page, dashboard count
nav-onboarding = 入网申请
dash-onboarding-desc = 商户入网申请：资料、审核、安装、验收、培训与开通
dashboard-overdue-reviews = 逾期未审核的入网申请：{ $count } 件
dashboard-review-queue-link = 查看审核队列
flash-onboarding-opened = 入网申请已创建，请上传所需资料。
flash-onboarding-document-uploaded = 资料已上传。
flash-onboarding-document-removed = 资料已移除。
flash-onboarding-submitted = 入网申请已提交审核。
flash-onboarding-withdrawn = 入网申请已撤回。
flash-onboarding-approved = 入网申请已审核通过。
flash-onboarding-rejected = 入网申请已驳回，申请人可修改后重新提交。
flash-onboarding-installation-booked = 安装预约已保存。
flash-onboarding-acceptance-recorded = 安装验收已登记。
flash-onboarding-training-recorded = 培训记录已保存。
flash-onboarding-fees-recorded = 押金与费用已登记。
flash-onboarding-activated = 商户已开通。
onboarding-title = 入网申请
onboarding-intro = 商户入网申请：提交资料，资质审核（5 个工作日，按服务商工作日历计算），审核通过后预约上门安装、验收、培训，绑定终端后开通。
onboarding-clock-hint = 审核时限按服务商工作日历计算，剩余时间为工作时间。
onboarding-status-all = 全部状态
onboarding-status-draft = 草稿
onboarding-status-submitted = 待审核
onboarding-status-approved = 审核通过
onboarding-status-rejected = 已驳回
onboarding-status-installation-scheduled = 已预约安装
onboarding-status-installed = 已安装验收
onboarding-status-active = 已开通
onboarding-status-withdrawn = 已撤回
onboarding-doc-business-licence = 营业执照
onboarding-doc-id-card = 身份证
onboarding-doc-bank-account-proof = 银行账户证明
onboarding-doc-premises-photo = 经营场所照片
onboarding-doc-other = 其他资料
onboarding-doc-kind = 资料类型
onboarding-file = 文件
onboarding-file-name = 文件名
onboarding-replaces = 替换已有资料
onboarding-replaces-none = 不替换（新增）
onboarding-reject-reason = 驳回原因
onboarding-service-point = 服务网点
onboarding-technician = 安装工程师
onboarding-technician-any = 不指定（由网点安排）
onboarding-technician-n = 工程师 { $n }（{ $id }）
onboarding-technician-hint = 须为所选网点的工程师。
onboarding-appointment = 预约时间
onboarding-appointment-hint = 北京时间，不能早于当前时间。
onboarding-acceptance-notes = 验收记录
onboarding-training-notes = 培训记录
onboarding-deposit = 押金
onboarding-deposit-yuan = 押金（元）
onboarding-deposit-is = 押金 { $amount }
onboarding-fee-item = 费用项目
onboarding-fee-amount-yuan = 金额（元）
onboarding-fee-item-n = 第 { $n } 项费用的名称
onboarding-fee-amount-n = 第 { $n } 项费用的金额
onboarding-fees = 押金与费用
onboarding-fees-total = 合计
onboarding-fees-hint = 金额以元填写，最多两位小数；留空的行不登记。
onboarding-fees-submit = 保存押金与费用
onboarding-error-missing-document = 缺少必需资料：{ $document }。请先上传再提交。
onboarding-error-no-training = 尚未登记培训记录，不能开通。
onboarding-error-no-terminal = 该商户尚未绑定终端，不能开通。
onboarding-error-merchant-kind = 商户尚未登记商户类型，无法确定所需资料；请先在商户信息中填写商户类型。
onboarding-error-open-exists = 该商户已有进行中的入网申请。
onboarding-error-not-pending = 该商户不是待入网状态，不能创建入网申请。
onboarding-error-documents-frozen = 当前状态下不能修改资料（仅草稿或已驳回的申请可以修改）。
onboarding-rule-in-past = 不能早于当前时间
onboarding-rule-not-assigned = 不是所选网点的工程师
onboarding-rule-closed = 该网点已停用
onboarding-rule-image-only = 经营场所照片须为图片（JPEG、PNG 或 WebP）
onboarding-rule-content-mismatch = 文件内容与其类型不符
onboarding-rule-file-types = 仅接受 PDF、JPEG、PNG 或 WebP 文件
onboarding-working-time = { $hours } 小时 { $minutes } 分
onboarding-remaining = 剩余 { $time }
onboarding-overdue-by = 已逾期 { $time }
onboarding-overdue = 逾期
onboarding-provisional = 暂定
onboarding-provisional-hint = 相关年份的法定节假日安排尚未导入，截止时间可能在导入后调整。
onboarding-submissions = 第 { $count } 次提交
onboarding-submitted-at = 提交时间
onboarding-review-due = 审核截止
onboarding-time-left = 剩余工作时间
onboarding-open = 新建入网申请
onboarding-open-intro = 为待入网的商户创建申请，随后上传资料并提交审核。
onboarding-no-pending = 目前没有待入网的商户。
onboarding-open-submit = 创建申请
onboarding-back = ← 返回入网申请列表
onboarding-review-title = 入网审核队列
onboarding-review-intro = 待审核的入网申请，截止时间最早的排在前面；逾期的以红色标出。
onboarding-review-pending = 待审核
onboarding-show-all = 显示全部
onboarding-overdue-only = 仅看逾期
onboarding-overdue-count = 已逾期：{ $count } 件
onboarding-no-overdue = 没有逾期的审核。
onboarding-application = 入网申请
onboarding-page-title = 入网申请 · { $merchant }
onboarding-page-intro = 资料齐全后提交审核；审核通过后预约安装，验收、培训并绑定终端后开通。
onboarding-kind-missing = 未登记
onboarding-rejected-because = 驳回原因：
onboarding-rejected-hint = 请根据驳回原因修改或替换资料后重新提交。
onboarding-merchant-status = 商户状态
onboarding-terminals = 已绑定终端
onboarding-terminals-bound = 已绑定 { $count } 台终端
onboarding-audit-link = 在审计日志中查看
onboarding-timeline = 办理进度
onboarding-by = 由 { $name }
onboarding-step-created = 创建申请
onboarding-step-submitted = 提交审核
onboarding-step-approved = 资质审核通过
onboarding-step-rejected = 审核驳回
onboarding-step-installation = 预约上门安装
onboarding-step-acceptance = 安装验收
onboarding-step-training = 培训
onboarding-step-fees = 押金与费用
onboarding-step-terminals = 绑定终端
onboarding-step-activated = 开通
onboarding-step-withdrawn = 已撤回
onboarding-documents = 资料
onboarding-required = 所需资料
onboarding-missing = 缺少
onboarding-missing-list = 尚缺：
onboarding-uploaded = 上传时间
onboarding-removed-at = 已移除于
onboarding-remove = 移除
onboarding-no-documents = 尚未上传资料。
onboarding-size-kib = { $kib } KiB
onboarding-upload = 上传资料
onboarding-upload-hint = PDF、JPEG、PNG 或 WebP，不超过 10 MiB；经营场所照片须为图片。
onboarding-upload-submit = 上传
onboarding-submit = 提交审核
onboarding-submit-hint = 所需资料齐全后方可提交；提交后开始计算 5 个工作日的审核时限。
onboarding-review = 资质审核
onboarding-approve = 审核通过
onboarding-reject = 驳回
onboarding-reject-hint = 驳回原因会展示给申请人（最多 500 字）。
onboarding-book-installation = 预约上门安装
onboarding-move-installation = 改约上门安装
onboarding-installation-submit = 保存预约
onboarding-no-service-points = 没有可用的服务网点，请先在服务网点中添加。
onboarding-choose = 请选择
onboarding-acceptance = 安装验收
onboarding-acceptance-hint = 装机完成且验收（如试刷交易）通过后登记。
onboarding-acceptance-submit = 登记验收通过
onboarding-training = 培训
onboarding-training-submit = 保存培训记录
onboarding-activate = 开通
onboarding-activate-submit = 开通商户
onboarding-withdraw = 撤回申请
onboarding-withdraw-hint = 审核通过前可撤回；撤回后不能恢复。

binding-rental = 月租金（元）
binding-deposit = 押金（元）
binding-yuan-hint = 以元为单位，最多两位小数；不收取则留空。

## Tickets (工单)
nav-tickets = 工单
nav-my-tickets = 我的报修
flash-ticket-created = 工单已创建。
flash-ticket-updated = 工单已更新。
field-ticket = 工单
field-ticket-number = 工单号
field-ticket-subject = 主题
field-ticket-description = 问题描述
field-ticket-category = 故障类别
field-ticket-priority = 优先级
field-ticket-channel = 受理渠道
field-ticket-assignee = 处理人
field-ticket-team = 处理组
field-ticket-event = 状态操作
field-ticket-action = 批量操作
tickets-title = 工单
tickets-intro = 按队列查看工单；SLA 标记显示最近一个计时的剩余时间。
tickets-portal-title = 我的报修
tickets-portal-intro = 您提交的报修及预计处理时间。
tickets-empty = 没有工单。
ticket-views = 工单队列
ticket-view-mine = 我的工单
ticket-view-unassigned = 未分派
ticket-view-due-soon = 即将超时
ticket-view-breached = 已超时
ticket-view-all = 全部
ticket-select = 选择
ticket-sla = SLA
ticket-expected = 预计解决
ticket-bulk-assign-me = 分派给我
ticket-bulk-set-team = 设置处理组
ticket-back = ← 返回工单列表
ticket-new-title = 新建工单
ticket-new-intro = 电话或到店受理：选择商户（或输入 MID）、终端与故障类别。
ticket-new-submit = 创建工单
ticket-report-title = 报修
ticket-report-intro = 选择出现故障的终端并描述问题，我们会尽快处理。
ticket-report-submit = 提交报修
ticket-or-mid = 或输入商户编号（MID）
ticket-merchant-choose = 请选择商户
ticket-terminal-none = 不指定终端
ticket-optional = （可选）
ticket-support = 服务信息
ticket-breached = 已超时
ticket-duplicates = 该终端还有其他未结工单：
ticket-resolved-at = 解决时间
ticket-clocks = SLA 计时
ticket-expected-times = 预计时间
ticket-clock = 计时
ticket-deadline = 截止时间（北京时间）
ticket-provisional = 暂定
ticket-messages = 沟通记录
ticket-messages-empty = 暂无沟通记录。
ticket-internal = 内部备注
ticket-reply = 回复商户
ticket-reply-submit = 发送回复
ticket-note = 内部备注（商户不可见）
ticket-note-submit = 添加备注
ticket-reopen = 问题未解决？
ticket-reopen-intro = 解决后 7 天内可重新打开工单。
ticket-reopen-submit = 重新打开
ticket-status-change = 状态
ticket-no-events = 当前状态没有可执行的操作。
ticket-assign = 分派
ticket-assign-me = 分派给我
ticket-assign-submit = 保存分派
ticket-priority-submit = 修改优先级
ticket-unassigned = 未分派
ticket-assigned = 已分派
ticket-sla-remaining = 剩余 { $duration }（{ $basis }）
ticket-sla-overdue = 已超时 { $duration }（{ $basis }）
ticket-sla-paused = 已暂停
ticket-sla-none = —
ticket-duration-hm = { $h } 小时 { $m } 分
ticket-duration-m = { $m } 分
ticket-basis-working = 工作时间
ticket-basis-around-the-clock = 自然时间
ticket-status-new = 新建
ticket-status-open = 处理中
ticket-status-waiting-merchant = 待商户回复
ticket-status-waiting-quote = 待报价确认
ticket-status-waiting-parts = 待配件
ticket-status-in-transit = 寄修在途
ticket-status-resolved = 已解决
ticket-status-closed = 已关闭
ticket-status-merged = 已合并
ticket-event-triage = 受理
ticket-event-wait-merchant = 等待商户
ticket-event-wait-quote = 等待报价确认
ticket-event-wait-parts = 等待配件
ticket-event-await-device = 等待寄修
ticket-event-resume = 继续处理
ticket-event-resolve = 标记已解决
ticket-event-reopen = 重新打开
ticket-event-close = 关闭
ticket-event-merge = 合并
ticket-priority-p1 = P1 紧急
ticket-priority-p2 = P2 重大
ticket-priority-p3 = P3 一般
ticket-priority-p4 = P4 咨询
ticket-category-hardware = 硬件
ticket-category-software = 软件
ticket-category-network = 网络
ticket-category-card-reading = 读卡
ticket-category-printing = 打印
ticket-category-settlement = 结算
ticket-category-operation-question = 操作咨询
ticket-category-other = 其他
ticket-channel-hotline = 客服热线
ticket-channel-portal = 商户门户
ticket-channel-email = 邮件
ticket-channel-api = 接口
ticket-channel-walk-in = 网点到店
ticket-channel-terminal = 终端自报
ticket-clock-first-response = 首次响应
ticket-clock-next-update = 进展更新
ticket-clock-resolution = 解决
ticket-clock-pending = 未开始
ticket-clock-running = 计时中
ticket-clock-paused = 已暂停
ticket-clock-met = 已达成
ticket-clock-breached = 已超时

# 邮件隔离区（邮件网关，issue 5）：/mail/quarantine，服务商管理员可见。
nav-mail-quarantine = 邮件隔离区
mail-quarantine-title = 邮件隔离区
mail-quarantine-intro = 邮件网关无法转成工单或回复的来信。邮件不会丢失：下载原始邮件即可查看并处理。
mail-quarantine-received = 收到时间
mail-quarantine-reason = 原因
mail-quarantine-sender = 发件人
mail-quarantine-subject = 主题
mail-quarantine-size = 大小
mail-quarantine-raw = 原始邮件
mail-quarantine-download = 下载 .eml
mail-quarantine-not-kept = 未保存（超过 50 MB）
mail-quarantine-unknown = （未知）
mail-quarantine-no-subject = （无主题）
mail-quarantine-empty = 暂无隔离邮件。
mail-reason-too-large = 邮件过大（超过 50 MB）
mail-reason-unparseable = 无法解析
mail-reason-unknown-sender = 发件人未登记
mail-reason-not-merchants-ticket = 其他商户的工单
mail-reason-ticket-closed = 工单已关闭
mail-reason-empty = 没有正文

## Intake look-up and panel (hotline and walk-in entry, /tickets/new)
intake-lookup = 查找商户或终端
intake-lookup-hint = 输入 MID、TID、SN、电话或商户名称（至少 2 个字符）；↑/↓ 选择，回车确认，Esc 关闭。
intake-lookup-submit = 查找
intake-no-match = 没有匹配的商户或终端。
intake-candidates = 查找结果
intake-matched = 匹配项
intake-match-tid = TID
intake-match-sn = SN
intake-match-mid = MID
intake-match-phone = 电话
intake-match-name = 商户名称
intake-no-merchant = 未绑定商户
intake-no-terminal = 无终端
intake-panel = 终端概况
intake-panel-empty = 查找并选择终端后，这里显示保修、未结工单、近期已解决工单和固件版本。
intake-duplicates = 该终端已有未结工单，新报修可能重复：
intake-no-open = 该终端没有未结工单。
intake-placement = 布放地址
intake-warranty = 保修
intake-warranty-end = 截止
intake-recent = 近期已解决工单（近 { $days } 天）
intake-recent-note = 维修单功能上线前，这里列出该终端已解决或已关闭的工单。
intake-no-recent = 近期没有已解决的工单。

# Ticket attachments (H4): the attachments section of a ticket's page, staff and portal.
attachment-title = 附件
attachment-empty = 还没有附件。
attachment-unavailable = 附件列表暂时无法显示。
attachment-file = 文件
attachment-type = 类型
attachment-size = 大小
attachment-uploader = 上传人
attachment-uploaded = 上传时间
attachment-internal = 仅内部
attachment-kind-text = 文本
attachment-choose = 添加附件（照片、PDF 或日志）
attachment-hint = 支持 JPEG、PNG、WebP 照片，PDF 和 UTF-8 文本日志，单个文件不超过 10 MB。
attachment-visibility = 可见范围
attachment-visibility-public = 商户可见
attachment-visibility-internal = 仅内部人员
attachment-submit = 上传附件
attachment-failed-title = 附件未上传
attachment-back = ← 返回工单
attachment-error-no-file = 请选择要上传的文件。
attachment-error-too-large = 文件超过 { $max } 的上限。
attachment-error-type = 只能上传 JPEG、PNG、WebP 照片，PDF 或 UTF-8 文本文件。
attachment-error-mismatch = 文件内容与其类型不符。
attachment-error-name = 文件名无效：最多 200 个字符，不能包含路径或控制字符。
attachment-error-closed = 工单已关闭或刚刚有变动，无法添加附件。
