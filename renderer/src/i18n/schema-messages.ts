import i18next from 'i18next';

/**
 * Chinese for the contract schemas' field messages and the core's other fixed messages (those that name no value;
 * messages with values are worded from their reason, see error-messages.ts). The schemas (shared with main and the
 * admin API) speak English; the window shows their messages in the UI language. Unknown messages pass through.
 */
const zh: Record<string, string> = {
  'Admin keys (sk-admin-…) cannot be used: enter a project API key': '不能使用管理员密钥（sk-admin-…）：请输入项目 API 密钥',
  'Metric must be requests, tokens or usd': '指标必须是 requests、tokens 或 usd',
  'Limit must be a number': '上限必须是数字',
  'Limit must be more than 0': '上限必须大于 0',
  'Limit must be at most 1,000,000,000,000': '上限最多为 1,000,000,000,000',
  'Window must be day, week, month or total': '周期必须是 day、week、month 或 total',
  'Budgets must be a list': '预算必须是列表',
  'Price must be a number': '价格必须是数字',
  'Price cannot be negative': '价格不能为负数',
  'Price must be at most $1,000,000 per million tokens': '价格最多为每百万 token 1,000,000 美元',
  'Model is required': '必须填写模型',
  'Model is too long': '模型名称过长',
  'Time zone is required': '必须填写时区',
  'Unknown time zone': '未知的时区',
  'Default output tokens must be a whole number': '默认输出 token 数必须是整数',
  'Retention must be a number of days': '保留期限必须是天数',
  'Retention must be a whole number of days': '保留期限必须是整数天',
  'Keep request rows at least 1 day': '请求记录至少保留 1 天',
  'Keep request rows at most 3,650 days': '请求记录最多保留 3,650 天',
  'API key is required': '请输入 API 密钥',
  'API key is too long': 'API 密钥过长',
  'API key must not contain spaces': 'API 密钥不能包含空格',
  'At most 500 model patterns': '最多 500 个模型或通配符',
  'Base URL is required': '请输入基础 URL',
  'Choose an existing upstream': '请选择已有的上游',
  'Choose an existing upstream to move the sub-keys to': '请选择要将子密钥移至的已有上游',
  'Days must be a whole number': '天数必须是整数',
  'Enabled must be true or false': '启用状态必须是 true 或 false',
  'Access must be none, read or write': '访问级别必须是 none、read 或 write',
  'Mode must be all, restricted or read_only': '模式必须是 all、restricted 或 read_only',
  'Mint credentials must be true or false': '签发凭据设置必须是 true 或 false',
  'Share project objects must be true or false': '共享项目对象设置必须是 true 或 false',
  'Enter an http:// or https:// URL without credentials': '请输入不含凭据的 http:// 或 https:// URL',
  'Expiry must be a date': '到期时间必须是日期',
  'Expiry must be an ISO 8601 date and time, e.g. 2030-01-31T12:00:00Z': '到期时间必须是 ISO 8601 日期时间，例如 2030-01-31T12:00:00Z',
  'Expiry must be in the future': '到期时间必须晚于现在',
  'Host is required': '请输入主机',
  'Host must be an IP address or a host name': '主机必须是 IP 地址或主机名',
  'Id is required': '缺少 ID',
  'Keygate cannot be reached. Is the server still running?': '无法连接 Keygate。服务器是否仍在运行？',
  'Limit must be a whole number': '数量上限必须是整数',
  'Model pattern cannot be empty': '模型通配符不能为空',
  'Model pattern is too long': '模型通配符过长',
  'Model pattern must not contain spaces or commas': '模型通配符不能包含空格或逗号',
  'Move the sub-keys to another upstream': '请将子密钥移至另一个上游',
  'Models must be a list': '模型必须是列表',
  'Name is required': '请输入名称',
  'Name must be at most 100 characters': '名称最多 100 个字符',
  'Pass-through must be true or false': '透传设置必须是 true 或 false',
  'Port must be a number': '端口必须是数字',
  'Port must be a whole number': '端口必须是整数',
  'Port must be between 0 and 65535': '端口必须在 0 到 65535 之间',
  'Quota cannot be negative': '请求次数不能为负数',
  'Quota must be a whole number': '请求次数必须是整数',
  'Quota must be at most 1,000,000,000': '请求次数最多为 1,000,000,000',
  'Something went wrong inside Keygate. The details are in its log.': 'Keygate 内部出错，详情见其日志。',
  'Sub-keys must be "remove" or { "moveTo": an upstream id }': '子密钥的处理方式必须是 "remove" 或 { "moveTo": 上游 ID }',
};

/** A schema or server message in the UI language. */
export function localizeMessage(message: string, language: string = i18next.language ?? 'en'): string {
  return language.startsWith('zh') ? (zh[message] ?? message) : message;
}
