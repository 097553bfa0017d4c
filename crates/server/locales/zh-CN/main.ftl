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
import-intro = 上传 CSV 文件，按序列号新增或更新终端；同一文件重复导入不会产生重复记录。
import-hint = CSV，UTF-8、UTF-16 或 GBK（GB18030）编码，不超过 64 MiB；首行为表头：序列号,终端号,型号,厂商,状态,商户号,安装日期,保修截止,装机地址。
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
