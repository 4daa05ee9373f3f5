<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>paydesk::client::RestClient</name>
    <message>
        <source>The server refused the connection. Is it running at this address?</source>
        <translation>服务器拒绝了连接。请确认服务器是否在此地址上运行。</translation>
    </message>
    <message>
        <source>The server&apos;s host name could not be found.</source>
        <translation>找不到服务器的主机名。</translation>
    </message>
    <message>
        <source>The server did not answer in time.</source>
        <translation>服务器未及时响应。</translation>
    </message>
    <message>
        <source>The secure connection could not be established: %1</source>
        <translation>无法建立安全连接：%1</translation>
    </message>
    <message>
        <source>The server could not be reached: %1</source>
        <translation>无法连接到服务器：%1</translation>
    </message>
    <message>
        <source>The CA file %1 cannot be read.</source>
        <translation>无法读取 CA 文件 %1。</translation>
    </message>
    <message>
        <source>The CA file %1 holds no PEM certificate.</source>
        <translation>CA 文件 %1 中没有 PEM 证书。</translation>
    </message>
    <message>
        <source>The server presented a different certificate than the one you trusted before. The connection was refused.</source>
        <translation>服务器出示的证书与您之前信任的证书不同，已拒绝连接。</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not trusted yet.</source>
        <translation>尚未信任该服务器的证书。</translation>
    </message>
    <message>
        <source>The server&apos;s answer is larger than this client accepts.</source>
        <translation>服务器的响应超出了本客户端可接受的大小。</translation>
    </message>
    <message>
        <source>The call was canceled.</source>
        <translation>请求已取消。</translation>
    </message>
    <message>
        <source>The server answered HTTP %1.</source>
        <translation>服务器返回 HTTP %1。</translation>
    </message>
    <message>
        <source>The server&apos;s answer is not valid JSON.</source>
        <translation>服务器的响应不是有效的 JSON。</translation>
    </message>
</context>
<context>
    <name>paydesk::console::AlertsPage</name>
    <message>
        <source>Critical</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Abnormal order</source>
        <translation>订单异常</translation>
    </message>
    <message>
        <source>Payment for no known order</source>
        <translation>支付无对应订单</translation>
    </message>
    <message>
        <source>Paid through the wrong channel</source>
        <translation>通过错误渠道支付</translation>
    </message>
    <message>
        <source>Paid twice</source>
        <translation>重复支付</translation>
    </message>
    <message>
        <source>Channel errors</source>
        <translation>渠道错误</translation>
    </message>
    <message>
        <source>Merchant notification gave up</source>
        <translation>商户通知已停止重试</translation>
    </message>
    <message>
        <source>Refund for no known order</source>
        <translation>退款无对应订单</translation>
    </message>
    <message>
        <source>Refund stuck</source>
        <translation>退款停滞</translation>
    </message>
    <message>
        <source>Payout failed</source>
        <translation>打款失败</translation>
    </message>
    <message>
        <source>Payout stuck</source>
        <translation>打款停滞</translation>
    </message>
    <message>
        <source>Payout blocked</source>
        <translation>打款被拦截</translation>
    </message>
    <message>
        <source>Payout does not match</source>
        <translation>打款不一致</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>级别</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>关联对象</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>产生时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Acknowledge</source>
        <translation>确认(&amp;A)</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Every kind</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Mark the selected alerts as seen and handled (Ctrl+K).</source>
        <translation>将所选告警标记为已查看并已处理（Ctrl+K）。</translation>
    </message>
    <message>
        <source>Select an alert to see its details.</source>
        <translation>选择一条告警以查看详情。</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>状态(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>类型(&amp;K)：</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The alerts could not be loaded.</source>
        <translation>无法加载告警。</translation>
    </message>
    <message>
        <source>The newest %1 shown.</source>
        <translation>显示最新的 %1 条。</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s).</source>
        <translation>
            <numerusform>共 %n 条告警。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) selected.</source>
        <translation>
            <numerusform>已选择 %n 条告警。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>About: %1</source>
        <translation>关联对象：%1</translation>
    </message>
    <message>
        <source>Raised: %1</source>
        <translation>产生时间：%1</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>详情：</translation>
    </message>
    <message>
        <source>Acknowledged by %1 at %2</source>
        <translation>已由 %1 于 %2 确认</translation>
    </message>
    <message>
        <source>Open: nobody has acknowledged it yet.</source>
        <translation>待处理：尚无人确认。</translation>
    </message>
    <message>
        <source>Select at most %1 alerts at a time.</source>
        <translation>一次最多选择 %1 条告警。</translation>
    </message>
    <message numerus="yes">
        <source>Acknowledging %n alert(s)…</source>
        <translation>
            <numerusform>正在确认 %n 条告警…</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message numerus="yes">
        <source>Acknowledged %n alert(s).</source>
        <translation>
            <numerusform>已确认 %n 条告警。</numerusform>
        </translation>
    </message>
    <message>
        <source>Acknowledged %1; not acknowledged: %2</source>
        <translation>已确认 %1 条；未确认：%2</translation>
    </message>
</context>
<context>
    <name>paydesk::console::Appearance</name>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
</context>
<context>
    <name>paydesk::console::CollectPage</name>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>&amp;Alipay</source>
        <translation>支付宝(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;WeChat Pay</source>
        <translation>微信支付(&amp;W)</translation>
    </message>
    <message>
        <source>Show &amp;QR</source>
        <translation>显示二维码(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;New collection (F2)</source>
        <translation>新建收款(&amp;N) (F2)</translation>
    </message>
    <message>
        <source>Simulate &amp;buyer payment</source>
        <translation>模拟买家付款(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Customer display (F11)</source>
        <translation>顾客显示屏(&amp;C) (F11)</translation>
    </message>
    <message>
        <source>In-store purchase</source>
        <translation>店内消费</translation>
    </message>
    <message>
        <source>Sandbox only: the sandbox plays the customer, scans the code and pays.</source>
        <translation>仅限沙箱：由沙箱模拟顾客扫码并付款。</translation>
    </message>
    <message>
        <source>A&amp;mount (CNY):</source>
        <translation>金额（元）(&amp;M)：</translation>
    </message>
    <message>
        <source>&amp;Subject:</source>
        <translation>商品描述(&amp;S)：</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>支付渠道：</translation>
    </message>
    <message>
        <source>New collection</source>
        <translation>新建收款</translation>
    </message>
    <message>
        <source>Enter an amount and press Show QR.
The customer scans the code with Alipay or WeChat.</source>
        <translation>输入金额后点击“显示二维码”。
顾客使用支付宝或微信扫码付款。</translation>
    </message>
    <message>
        <source>Enter an amount greater than zero, at most two decimals.</source>
        <translation>请输入大于零的金额，最多两位小数。</translation>
    </message>
    <message>
        <source>At most %1 per collection.</source>
        <translation>单笔收款最多 %1。</translation>
    </message>
    <message>
        <source>Enter what the customer pays for.</source>
        <translation>请输入商品描述。</translation>
    </message>
    <message>
        <source>The channel gave no QR code (%1).</source>
        <translation>渠道未返回二维码（%1）。</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Expires in %1:%2</source>
        <translation>%1:%2 后过期</translation>
    </message>
    <message>
        <source>Creating order…</source>
        <translation>正在创建订单…</translation>
    </message>
    <message>
        <source>Order %1</source>
        <translation>订单 %1</translation>
    </message>
    <message>
        <source>Waiting for the customer to pay with %1…</source>
        <translation>等待顾客使用%1付款…</translation>
    </message>
    <message>
        <source>Paid %1</source>
        <translation>收款成功 %1</translation>
    </message>
    <message>
        <source>Order %1 · %2 trade %3</source>
        <translation>订单 %1 · %2交易号 %3</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>支付成功</translation>
    </message>
    <message>
        <source>Expired: not paid</source>
        <translation>已过期：未支付</translation>
    </message>
    <message>
        <source>Closed: not paid</source>
        <translation>已关闭：未支付</translation>
    </message>
    <message>
        <source>Needs attention: the payment state is unclear</source>
        <translation>需关注：支付状态不明确</translation>
    </message>
    <message>
        <source>Could not create the order</source>
        <translation>无法创建订单</translation>
    </message>
    <message>
        <source>Do not hand over goods yet; check the order in Orders.</source>
        <translation>请暂勿交付商品；请在“订单”页面核查该订单。</translation>
    </message>
    <message>
        <source>The sandbox did not pay: %1</source>
        <translation>沙箱未能付款：%1</translation>
    </message>
    <message>
        <source>The sandbox paid; waiting for the channel&apos;s notification…</source>
        <translation>沙箱已付款；正在等待渠道通知…</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ConsoleApp</name>
    <message>
        <source>The sandbox manifest %1 cannot be read.</source>
        <translation>无法读取沙箱清单 %1。</translation>
    </message>
    <message>
        <source>%1 is not a paydesk-sandbox manifest (base_url and ca_file are missing).</source>
        <translation>%1 不是 paydesk-sandbox 清单（缺少 base_url 和 ca_file）。</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ConsoleSession</name>
    <message>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Merchant admin</source>
        <translation>商户管理员</translation>
    </message>
    <message>
        <source>Platform admin</source>
        <translation>平台管理员</translation>
    </message>
    <message>
        <source>Auditor</source>
        <translation>审计员</translation>
    </message>
    <message>
        <source>No role</source>
        <translation>无角色</translation>
    </message>
</context>
<context>
    <name>paydesk::console::CustomerDisplay</name>
    <message>
        <source>Paydesk — customer display</source>
        <translation>Paydesk — 顾客显示屏</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <source>Esc closes this window</source>
        <translation>按 Esc 关闭此窗口</translation>
    </message>
    <message>
        <source>Scan with %1 to pay</source>
        <translation>请使用%1扫码付款</translation>
    </message>
</context>
<context>
    <name>paydesk::console::DailyReportModel</name>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>¥%1 as the bills state it</source>
        <translation>账单所列为 ¥%1</translation>
    </message>
    <message>
        <source>Paid orders per created order</source>
        <translation>已支付订单数 ÷ 创建订单数</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Merchant</source>
        <translation>商户</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>渠道账户</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>支付笔数</translation>
    </message>
    <message>
        <source>Paid (¥)</source>
        <translation>支付金额 (¥)</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>退款笔数</translation>
    </message>
    <message>
        <source>Refunded (¥)</source>
        <translation>已退款 (¥)</translation>
    </message>
    <message>
        <source>Fee (¥)</source>
        <translation>手续费 (¥)</translation>
    </message>
    <message>
        <source>Net (¥)</source>
        <translation>净额 (¥)</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>成功率</translation>
    </message>
</context>
<context>
    <name>paydesk::console::DashboardPage</name>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>Collected</source>
        <translation>收款金额</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Collected today</source>
        <translation>今日收款</translation>
    </message>
    <message>
        <source>Payments today</source>
        <translation>今日支付笔数</translation>
    </message>
    <message>
        <source>Success rate (paid / created)</source>
        <translation>成功率（已支付/已创建）</translation>
    </message>
    <message>
        <source>Refunded today</source>
        <translation>今日退款</translation>
    </message>
    <message>
        <source>Orders paid today divided by orders created today.</source>
        <translation>今日已支付订单数除以今日创建订单数。</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Today by channel:</source>
        <translation>今日各渠道：</translation>
    </message>
    <message>
        <source>CNY</source>
        <translation>元</translation>
    </message>
    <message numerus="yes">
        <source>Collected per day, last %n day(s)</source>
        <translation>
            <numerusform>近 %n 天每日收款</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The figures could not be loaded: %1</source>
        <translation>无法加载数据：%1</translation>
    </message>
    <message>
        <source>Today, %1</source>
        <translation>今日，%1</translation>
    </message>
    <message>
        <source>Business days start at 00:00 %1.</source>
        <translation>营业日从 00:00（%1）开始。</translation>
    </message>
    <message>
        <source>%1 paid of %2 created</source>
        <translation>已创建 %2 笔，已支付 %1 笔</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n payment(s)</source>
        <translation>
            <numerusform>%1 · %n 笔</numerusform>
        </translation>
    </message>
    <message>
        <source> · %1 of today</source>
        <translation> · 占今日 %1</translation>
    </message>
    <message numerus="yes">
        <source>Collected per day, last %n day(s): %1 in total</source>
        <translation>
            <numerusform>近 %n 天每日收款：合计 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::MainWindow</name>
    <message>
        <source>Paydesk Console</source>
        <translation>Paydesk 控制台</translation>
    </message>
    <message>
        <source>● Live</source>
        <translation>● 实时</translation>
    </message>
    <message>
        <source>○ Reconnecting…</source>
        <translation>○ 正在重新连接…</translation>
    </message>
    <message>
        <source>Payments and reviews arrive the moment they happen.</source>
        <translation>支付和审核会实时推送。</translation>
    </message>
    <message>
        <source>The live connection is down; pages refresh by polling.</source>
        <translation>实时连接已断开；页面将通过轮询刷新。</translation>
    </message>
    <message>
        <source>○ Connecting…</source>
        <translation>○ 正在连接…</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>Collect</source>
        <translation>收款</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Withdrawals</source>
        <translation>提现</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New collection</source>
        <translation>新建收款(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Export orders to CSV…</source>
        <translation>导出订单为 CSV(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Customer display</source>
        <translation>顾客显示屏(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>账户(&amp;A)</translation>
    </message>
    <message>
        <source>Change &amp;password…</source>
        <translation>修改密码(&amp;P)…</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>密码已修改</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation>您的密码已修改。</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Paydesk</source>
        <translation>关于 Paydesk(&amp;A)</translation>
    </message>
    <message>
        <source>About Paydesk</source>
        <translation>关于 Paydesk</translation>
    </message>
    <message numerus="yes">
        <source>%n open alert(s)</source>
        <translation>
            <numerusform>%n 条待处理告警</numerusform>
        </translation>
    </message>
    <message>
        <source>Alerts (%1)</source>
        <translation>告警 (%1)</translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue; what you entered is kept.</source>
        <translation>会话已结束。请重新登录以继续；已输入的内容会保留。</translation>
    </message>
    <message>
        <source>Reconciliation</source>
        <translation>对账</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Export &amp;reconciliation to PDF…</source>
        <translation>导出对账结果为 PDF(&amp;R)…</translation>
    </message>
    <message>
        <source>Export the daily &amp;report to CSV…</source>
        <translation>导出日报表为 CSV(&amp;R)…</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Paydesk Console %1&lt;/h3&gt;&lt;p&gt;Collect payments with Alipay and WeChat Pay, search orders, approve withdrawals, follow alerts, reconcile with the channels&apos; bills and report on each day.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Paydesk 控制台 %1&lt;/h3&gt;&lt;p&gt;通过支付宝和微信支付收款，查询订单，审批提现，跟进告警，与渠道账单对账，并按日出具报表。&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>paydesk::console::OrderCsvExport</name>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 无法写入：%2</translation>
    </message>
    <message>
        <source>Export canceled.</source>
        <translation>导出已取消。</translation>
    </message>
    <message>
        <source>Writing the file failed: %1</source>
        <translation>写入文件失败：%1</translation>
    </message>
    <message>
        <source>Saving the file failed: %1</source>
        <translation>保存文件失败：%1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::OrdersModel</name>
    <message>
        <source>Created</source>
        <translation>已创建</translation>
    </message>
    <message>
        <source>Waiting for payment</source>
        <translation>待支付</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已支付</translation>
    </message>
    <message>
        <source>Partially refunded</source>
        <translation>部分退款</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>需关注</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Sort by creation time or amount</source>
        <translation>仅可按创建时间或金额排序</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>订单号</translation>
    </message>
    <message>
        <source>Merchant order no.</source>
        <translation>商户订单号</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>商品描述</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Amount (¥)</source>
        <translation>金额 (¥)</translation>
    </message>
    <message>
        <source>Refunded (¥)</source>
        <translation>已退款 (¥)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Created</source>
        <comment>column: when the order was created</comment>
        <translation>创建时间</translation>
    </message>
</context>
<context>
    <name>paydesk::console::OrdersPage</name>
    <message>
        <source>&amp;Created between</source>
        <translation>创建日期范围(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Refund…</source>
        <translation>退款(&amp;R)…</translation>
    </message>
    <message>
        <source>C&amp;lose order</source>
        <translation>关闭订单(&amp;L)</translation>
    </message>
    <message>
        <source>Resend &amp;notification</source>
        <translation>重发通知(&amp;N)</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>订单号</translation>
    </message>
    <message>
        <source>Merchant order no.</source>
        <translation>商户订单号</translation>
    </message>
    <message>
        <source>Channel trade no.</source>
        <translation>渠道交易号</translation>
    </message>
    <message>
        <source>exact number</source>
        <translation>完整单号</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Any channel</source>
        <translation>全部渠道</translation>
    </message>
    <message>
        <source>min ¥</source>
        <translation>最低 ¥</translation>
    </message>
    <message>
        <source>max ¥</source>
        <translation>最高 ¥</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>导出 CSV(&amp;E)…</translation>
    </message>
    <message>
        <source>Amount:</source>
        <translation>金额：</translation>
    </message>
    <message>
        <source>Select an order to see its timeline, channel log, notifications and refunds.</source>
        <translation>选择一笔订单以查看其时间线、渠道日志、通知和退款。</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查询…</translation>
    </message>
    <message>
        <source>%1 orders shown; scroll for more</source>
        <translation>已显示 %1 笔订单；向下滚动加载更多</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) found</source>
        <translation>
            <numerusform>找到 %n 笔订单</numerusform>
        </translation>
    </message>
    <message>
        <source>Search failed: %1</source>
        <translation>查询失败：%1</translation>
    </message>
    <message>
        <source>The minimum amount is not an amount.</source>
        <translation>最低金额不是有效金额。</translation>
    </message>
    <message>
        <source>The maximum amount is not an amount.</source>
        <translation>最高金额不是有效金额。</translation>
    </message>
    <message>
        <source>The minimum amount is above the maximum.</source>
        <translation>最低金额高于最高金额。</translation>
    </message>
    <message>
        <source>The first date is after the last.</source>
        <translation>开始日期晚于结束日期。</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>商品描述</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>订单金额</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已付金额</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>Refundable</source>
        <translation>可退款</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Paid at</source>
        <translation>支付时间</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>过期时间</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>退款</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Channel log</source>
        <translation>渠道日志</translation>
    </message>
    <message>
        <source>signature: %1</source>
        <translation>签名：%1</translation>
    </message>
    <message>
        <source>Merchant notifications</source>
        <translation>商户通知</translation>
    </message>
    <message>
        <source>None (no notify_url, or not paid yet)</source>
        <translation>无（未设置 notify_url，或尚未支付）</translation>
    </message>
    <message numerus="yes">
        <source>%n attempt(s)</source>
        <translation>
            <numerusform>已尝试 %n 次</numerusform>
        </translation>
    </message>
    <message>
        <source>Close order</source>
        <translation>关闭订单</translation>
    </message>
    <message>
        <source>Close order %1 (%2)? The customer can no longer pay it.</source>
        <translation>关闭订单 %1（%2）？关闭后顾客将无法再付款。</translation>
    </message>
    <message>
        <source>Resend notification</source>
        <translation>重发通知</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation>导出订单</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting orders…</source>
        <translation>正在导出订单…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Exporting orders… %1 written</source>
        <translation>正在导出订单… 已写入 %1 笔</translation>
    </message>
    <message>
        <source>%1 orders exported to %2</source>
        <translation>已将 %1 笔订单导出到 %2</translation>
    </message>
</context>
<context>
    <name>paydesk::console::PasswordChangeDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation>当前密码(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>新密码(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;Repeat new password:</source>
        <translation>确认新密码(&amp;R)：</translation>
    </message>
    <message>
        <source>Choose a new password of at least 12 characters.</source>
        <translation>请设置至少 12 个字符的新密码。</translation>
    </message>
    <message>
        <source>The new passwords differ.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationCsv</name>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 无法写入：%2</translation>
    </message>
    <message>
        <source>Saving the file failed: %1</source>
        <translation>保存文件失败：%1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationItemsModel</name>
    <message>
        <source>Only in the bill</source>
        <translation>仅账单有（本地缺失）</translation>
    </message>
    <message>
        <source>Missing from the bill</source>
        <translation>账单缺失（仅本地有）</translation>
    </message>
    <message>
        <source>Amounts differ</source>
        <translation>金额不一致</translation>
    </message>
    <message>
        <source>States differ</source>
        <translation>状态不一致</translation>
    </message>
    <message>
        <source>Bill summary does not add up</source>
        <translation>账单汇总与明细不符</translation>
    </message>
    <message>
        <source>Internal check failed</source>
        <translation>内部核对未通过</translation>
    </message>
    <message>
        <source>Booked on another day</source>
        <translation>已在其他日期入账</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>待处理</translation>
    </message>
    <message>
        <source>Carried to the next day</source>
        <translation>顺延至次日核对</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>已处理</translation>
    </message>
    <message>
        <source>Books corrected</source>
        <translation>已调账</translation>
    </message>
    <message>
        <source>Money returned to the payer</source>
        <translation>已退还付款人</translation>
    </message>
    <message>
        <source>The channel&apos;s bill was wrong</source>
        <translation>渠道账单有误</translation>
    </message>
    <message>
        <source>Written off</source>
        <translation>已核销</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>Repaired by a channel query</source>
        <translation>经渠道查询已修复</translation>
    </message>
    <message>
        <source>Booked the next day</source>
        <translation>次日已入账</translation>
    </message>
    <message>
        <source>Cleared by a re-run</source>
        <translation>重新对账后已消除</translation>
    </message>
    <message>
        <source>Internal checks</source>
        <translation>内部核对</translation>
    </message>
    <message>
        <source>Found</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>渠道账户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Order / refund no.</source>
        <translation>订单号 / 退款单号</translation>
    </message>
    <message>
        <source>Paydesk (¥)</source>
        <translation>本地 (¥)</translation>
    </message>
    <message>
        <source>Bill (¥)</source>
        <translation>账单 (¥)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>处理结果</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationPage</name>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Run now</source>
        <translation>立即对账(&amp;R)</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>Export &amp;PDF…</source>
        <translation>导出 PDF(&amp;P)…</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>已匹配</translation>
    </message>
    <message>
        <source>Discrepancies</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Re&amp;solve…</source>
        <translation>处理(&amp;S)…</translation>
    </message>
    <message>
        <source>All channel accounts</source>
        <translation>全部渠道账户</translation>
    </message>
    <message>
        <source>Reconcile the chosen day again now, for the chosen channel account or all of them.</source>
        <translation>立即重新核对所选日期：所选渠道账户，或全部渠道账户。</translation>
    </message>
    <message>
        <source>&amp;Day:</source>
        <translation>日期(&amp;D)：</translation>
    </message>
    <message>
        <source>C&amp;hannel:</source>
        <translation>渠道(&amp;H)：</translation>
    </message>
    <message>
        <source>Read-only: auditors see the reconciliation but cannot run or resolve.</source>
        <translation>只读：审计员可查看对账结果，但不能发起对账或处理差异。</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>渠道账户</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Bill payments</source>
        <translation>账单支付</translation>
    </message>
    <message>
        <source>Paydesk payments</source>
        <translation>本地支付</translation>
    </message>
    <message>
        <source>Bill refunds</source>
        <translation>账单退款</translation>
    </message>
    <message>
        <source>Paydesk refunds</source>
        <translation>本地退款</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>手续费</translation>
    </message>
    <message>
        <source>Cross-day</source>
        <translation>跨日</translation>
    </message>
    <message>
        <source>Repaired</source>
        <translation>已修复</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Double-click a channel account to list only its discrepancies.</source>
        <translation>双击渠道账户，只列出该账户的差异。</translation>
    </message>
    <message>
        <source>%1: %2 matched, %3 discrepancies</source>
        <translation>%1：已匹配 %2 笔，差异 %3 笔</translation>
    </message>
    <message>
        <source>Every status</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Every kind</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Record what was done about the selected discrepancy.</source>
        <translation>记录对所选差异的处理。</translation>
    </message>
    <message>
        <source>Select a discrepancy to see its details.</source>
        <translation>选择一条差异以查看详情。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Discrepancies&lt;/b&gt;</source>
        <translation>&lt;b&gt;差异&lt;/b&gt;</translation>
    </message>
    <message>
        <source>S&amp;tatus:</source>
        <translation>状态(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>类型(&amp;K)：</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>%1 shown; scroll for more</source>
        <translation>已显示 %1 条；向下滚动查看更多</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation>
            <numerusform>共 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <source>The items could not be loaded.</source>
        <translation>无法加载差异明细。</translation>
    </message>
    <message>
        <source>The runs could not be loaded: %1</source>
        <translation>无法加载对账批次：%1</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>开始于 %1</translation>
    </message>
    <message>
        <source>Starting the reconciliation of %1…</source>
        <translation>正在发起 %1 的对账…</translation>
    </message>
    <message>
        <source>Starting the reconciliation of %1 for %2…</source>
        <translation>正在发起 %2 在 %1 的对账…</translation>
    </message>
    <message>
        <source>The reconciliation did not start: %1</source>
        <translation>对账未能开始：%1</translation>
    </message>
    <message>
        <source>The reconciliation finished.</source>
        <translation>对账已完成。</translation>
    </message>
    <message>
        <source>The run is still going; refresh later to see its result.</source>
        <translation>对账仍在进行；请稍后刷新查看结果。</translation>
    </message>
    <message>
        <source>The run could not be followed: %1</source>
        <translation>无法跟踪对账进度：%1</translation>
    </message>
    <message>
        <source>Reconciling %1: %2 line(s) read</source>
        <translation>正在对账 %1：已读取 %2 行</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Channel account: %1 · day %2</source>
        <translation>渠道账户：%1 · 日期 %2</translation>
    </message>
    <message>
        <source>About: %1 %2</source>
        <translation>关联对象：%1 %2</translation>
    </message>
    <message>
        <source>Channel trade no.: %1</source>
        <translation>渠道交易号：%1</translation>
    </message>
    <message>
        <source>no record</source>
        <translation>无记录</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Paydesk: %1</source>
        <translation>本地：%1</translation>
    </message>
    <message>
        <source>Bill: %1</source>
        <translation>账单：%1</translation>
    </message>
    <message>
        <source>Found %1 by run %2</source>
        <translation>由对账批次 %2 于 %1 发现</translation>
    </message>
    <message>
        <source>Resolved as “%1” at %2</source>
        <translation>已于 %2 处理为“%1”</translation>
    </message>
    <message>
        <source>Resolved as “%1” by %2 at %3</source>
        <translation>已由 %2 于 %3 处理为“%1”</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>备注：%1</translation>
    </message>
    <message>
        <source>Resolving %1…</source>
        <translation>正在处理 %1…</translation>
    </message>
    <message>
        <source>Not resolved: %1</source>
        <translation>未能处理：%1</translation>
    </message>
    <message>
        <source>Resolved %1 as “%2”.</source>
        <translation>已将 %1 处理为“%2”。</translation>
    </message>
    <message>
        <source>The items could not be loaded: %1</source>
        <translation>无法加载差异明细：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) and the runs&apos; totals exported to %1</source>
        <translation>
            <numerusform>已将 %n 条差异及对账批次汇总导出到 %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Report of %n page(s) written to %1</source>
        <translation>
            <numerusform>已将 %n 页的报告写入 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Export reconciliation</source>
        <translation>导出对账结果</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export reconciliation report</source>
        <translation>导出对账报告</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Matched and discrepancies per day, %1 to %2</source>
        <translation>每日已匹配与差异笔数，%1 至 %2</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationPdf</name>
    <message>
        <source>Paydesk reconciliation</source>
        <translation>Paydesk 对账报告</translation>
    </message>
    <message>
        <source>Business day %1 (UTC+8)</source>
        <translation>业务日 %1（UTC+8）</translation>
    </message>
    <message>
        <source>Generated %1</source>
        <translation>生成于 %1</translation>
    </message>
    <message>
        <source>Runs per channel account</source>
        <translation>各渠道账户对账结果</translation>
    </message>
    <message>
        <source>This day has not been reconciled.</source>
        <translation>该日尚未对账。</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>渠道账户</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Bill payments</source>
        <translation>账单支付</translation>
    </message>
    <message>
        <source>Paydesk payments</source>
        <translation>本地支付</translation>
    </message>
    <message>
        <source>Bill refunds</source>
        <translation>账单退款</translation>
    </message>
    <message>
        <source>Paydesk refunds</source>
        <translation>本地退款</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>手续费</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>已匹配</translation>
    </message>
    <message>
        <source>Cross-day</source>
        <translation>跨日</translation>
    </message>
    <message>
        <source>Discrepancies</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Repaired</source>
        <translation>已修复</translation>
    </message>
    <message>
        <source>Discrepancies (%1)</source>
        <translation>差异（%1）</translation>
    </message>
    <message>
        <source>None.</source>
        <translation>无。</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Order / refund no.</source>
        <translation>订单号 / 退款单号</translation>
    </message>
    <message>
        <source>Paydesk (¥)</source>
        <translation>本地 (¥)</translation>
    </message>
    <message>
        <source>Bill (¥)</source>
        <translation>账单 (¥)</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <source>The first %1 of %2 items are listed; the CSV export has all of them.</source>
        <translation>仅列出 %2 条中的前 %1 条；导出的 CSV 包含全部差异。</translation>
    </message>
    <message>
        <source>Amounts in CNY. Fees are the channels&apos; as their bills state them.</source>
        <translation>金额单位为人民币元。手续费以渠道账单所列为准。</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 无法写入：%2</translation>
    </message>
    <message>
        <source>Paydesk reconciliation %1</source>
        <translation>Paydesk 对账报告 %1</translation>
    </message>
    <message>
        <source>Saving the file failed: %1</source>
        <translation>保存文件失败：%1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationRunText</name>
    <message>
        <source>Running</source>
        <translation>进行中</translation>
    </message>
    <message numerus="yes">
        <source>Done, %n discrepancy(ies)</source>
        <translation>
            <numerusform>已完成，%n 笔差异</numerusform>
        </translation>
    </message>
    <message>
        <source>Done, all matched</source>
        <translation>已完成，全部匹配</translation>
    </message>
    <message>
        <source>No bill</source>
        <translation>无账单</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1: passed</source>
        <translation>%1：通过</translation>
    </message>
    <message>
        <source>%1: FAILED</source>
        <translation>%1：未通过</translation>
    </message>
</context>
<context>
    <name>paydesk::console::RefundDialog</name>
    <message>
        <source>Refund order %1</source>
        <translation>订单 %1 退款</translation>
    </message>
    <message>
        <source>shown to the customer by the channel</source>
        <translation>将由渠道展示给顾客</translation>
    </message>
    <message>
        <source>Paid:</source>
        <translation>已付金额：</translation>
    </message>
    <message>
        <source>Refundable:</source>
        <translation>可退金额：</translation>
    </message>
    <message>
        <source>Refund &amp;amount (CNY):</source>
        <translation>退款金额（元）(&amp;A)：</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>退款原因(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Refund</source>
        <translation>退款(&amp;R)</translation>
    </message>
    <message>
        <source>Enter an amount from 0.01 to %1.</source>
        <translation>请输入 0.01 至 %1 之间的金额。</translation>
    </message>
    <message>
        <source>Refund the full %1 to the customer? This cannot be undone.</source>
        <translation>确定向顾客全额退款 %1 吗？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Refund %1 of %2 to the customer? This cannot be undone.</source>
        <translation>确定向顾客退款 %1（实付 %2）吗？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Confirm refund</source>
        <translation>确认退款</translation>
    </message>
    <message>
        <source>Refunding…</source>
        <translation>正在退款…</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReportsPage</name>
    <message>
        <source>&amp;Show</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>导出 CSV(&amp;C)…</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>支付</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>已退款</translation>
    </message>
    <message>
        <source>All merchants</source>
        <translation>全部商户</translation>
    </message>
    <message>
        <source>All channel accounts</source>
        <translation>全部渠道账户</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>从(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>至(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Merchant:</source>
        <translation>商户(&amp;M)：</translation>
    </message>
    <message>
        <source>C&amp;hannel:</source>
        <translation>渠道(&amp;H)：</translation>
    </message>
    <message>
        <source>CNY</source>
        <translation>元</translation>
    </message>
    <message>
        <source>Paid and refunded per day</source>
        <translation>每日支付与退款金额</translation>
    </message>
    <message>
        <source>%1: paid %2, refunded %3</source>
        <translation>%1：支付 %2，退款 %3</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>The first day is after the last day.</source>
        <translation>开始日期晚于结束日期。</translation>
    </message>
    <message>
        <source>Choose at most %1 days.</source>
        <translation>最多选择 %1 天。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The report could not be loaded: %1</source>
        <translation>无法加载报表：%1</translation>
    </message>
    <message>
        <source>No business in these days.</source>
        <translation>这些日期内没有交易。</translation>
    </message>
    <message numerus="yes">
        <source>%1 paid, %2 refunded, %3 net over %n row(s).</source>
        <translation>
            <numerusform>共 %n 行：支付 %1，退款 %2，净额 %3。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 无法写入：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) exported to %1</source>
        <translation>
            <numerusform>已将 %n 行导出到 %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ResolveItemDialog</name>
    <message>
        <source>Resolve discrepancy</source>
        <translation>处理差异</translation>
    </message>
    <message>
        <source>%1 · %2 · %3
Paydesk %4, bill %5</source>
        <translation>%1 · %2 · %3
本地 %4，账单 %5</translation>
    </message>
    <message>
        <source>What was done and why, for the audit log (required)</source>
        <translation>做了什么处理、原因是什么，将记入审计日志（必填）</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>处理</translation>
    </message>
    <message>
        <source>&amp;Resolution:</source>
        <translation>处理结果(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Note:</source>
        <translation>备注(&amp;N)：</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>paydesk::console::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>跟随系统语言</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>var/sandbox/sandbox.json (optional)</source>
        <translation>var/sandbox/sandbox.json（可选）</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <source>Sandbox manifest</source>
        <translation>沙箱清单</translation>
    </message>
    <message>
        <source>Sandbox manifest (sandbox.json)</source>
        <translation>沙箱清单 (sandbox.json)</translation>
    </message>
    <message>
        <source>&amp;Forget the trusted certificate of %1</source>
        <translation>移除 %1 的受信任证书(&amp;F)</translation>
    </message>
    <message>
        <source>Forget certificate</source>
        <translation>移除证书</translation>
    </message>
    <message>
        <source>Forget the certificate trusted for %1? The next sign-in asks again.</source>
        <translation>移除为 %1 信任的证书？下次登录时将重新询问。</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>Sandbox &amp;manifest:</source>
        <translation>沙箱清单(&amp;M)：</translation>
    </message>
</context>
<context>
    <name>paydesk::console::SignInDialog</name>
    <message>
        <source>One-time &amp;code:</source>
        <translation>动态验证码(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
    <message>
        <source>Sign in to Paydesk</source>
        <translation>登录 Paydesk</translation>
    </message>
    <message>
        <source>Merchant and admin console</source>
        <translation>商户与管理控制台</translation>
    </message>
    <message>
        <source>6 digits from your authenticator app</source>
        <translation>身份验证器应用中的 6 位数字</translation>
    </message>
    <message>
        <source>Se&amp;rver:</source>
        <translation>服务器(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>Enter the server as https://host:port.</source>
        <translation>请按 https://主机:端口 的格式输入服务器地址。</translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>Enter the 6-digit code from your authenticator app.</source>
        <translation>请输入身份验证器应用中的 6 位验证码。</translation>
    </message>
    <message>
        <source>Refused: this server now presents a different certificate than the one you trusted (SHA-256 %1). Someone may be intercepting the connection. If the server&apos;s certificate was replaced on purpose, forget the old one in Settings and sign in again.</source>
        <translation>已拒绝：该服务器现在出示的证书与您之前信任的证书不同（SHA-256 %1）。可能有人正在拦截连接。如果服务器证书是有意更换的，请在“设置”中移除旧证书后重新登录。</translation>
    </message>
    <message>
        <source>This account uses a second factor: enter the one-time code.</source>
        <translation>此账户已启用双重验证：请输入动态验证码。</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed sign-ins: sign-in is locked for %n more minute(s).</source>
        <translation>
            <numerusform>登录失败次数过多：登录已锁定，请 %n 分钟后再试。</numerusform>
        </translation>
    </message>
    <message>
        <source>Wrong username, password or one-time code.</source>
        <translation>用户名、密码或动态验证码错误。</translation>
    </message>
    <message>
        <source>Wrong username or password.</source>
        <translation>用户名或密码错误。</translation>
    </message>
    <message>
        <source>Trust this server?</source>
        <translation>信任此服务器？</translation>
    </message>
    <message>
        <source>The server %1 presents a certificate that this computer does not trust yet.</source>
        <translation>服务器 %1 出示的证书尚未受到此计算机信任。</translation>
    </message>
    <message>
        <source>Compare its SHA-256 fingerprint with the one the server&apos;s administrator gives you (paydesk-server prints it at start):

%1

Issued to: %2
Valid until: %3</source>
        <translation>请将其 SHA-256 指纹与服务器管理员提供的指纹进行核对（paydesk-server 启动时会打印该指纹）：

%1

颁发给：%2
有效期至：%3</translation>
    </message>
    <message>
        <source>&amp;Trust this certificate</source>
        <translation>信任此证书(&amp;T)</translation>
    </message>
    <message>
        <source>Use a &amp;CA file…</source>
        <translation>使用 CA 文件(&amp;C)…</translation>
    </message>
    <message>
        <source>The server&apos;s CA certificate</source>
        <translation>服务器的 CA 证书</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM 证书 (*.pem *.crt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Not signed in: the server&apos;s certificate was not trusted.</source>
        <translation>未登录：未信任服务器的证书。</translation>
    </message>
    <message>
        <source>Choose a new password to finish signing in.</source>
        <translation>请设置新密码以完成登录。</translation>
    </message>
</context>
<context>
    <name>paydesk::console::WithdrawalsPage</name>
    <message>
        <source>Merchant %1</source>
        <translation>商户 %1</translation>
    </message>
    <message>
        <source>App user %1</source>
        <translation>App 用户 %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>Pending review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Paying out</source>
        <translation>打款中</translation>
    </message>
    <message>
        <source>Paid out</source>
        <translation>已打款</translation>
    </message>
    <message>
        <source>Payout failed</source>
        <translation>打款失败</translation>
    </message>
    <message>
        <source>Rejected by an admin</source>
        <translation>已被管理员驳回</translation>
    </message>
    <message>
        <source>Refused by a risk rule</source>
        <translation>被风控规则拒绝</translation>
    </message>
    <message>
        <source>Review: %1</source>
        <translation>需人工审核：%1</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>已拒绝：%1</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <source>%1 of %2 · two admins needed</source>
        <translation>%1/%2 · 需双人复核</translation>
    </message>
    <message>
        <source>%1 of %2 · first by you; another admin must approve</source>
        <translation>%1/%2 · 您已首次批准；需另一位管理员批准</translation>
    </message>
    <message>
        <source>%1 of %2 · first by %3</source>
        <translation>%1/%2 · 首次批准人：%3</translation>
    </message>
    <message>
        <source>Payout %1</source>
        <translation>打款单号 %1</translation>
    </message>
    <message>
        <source>By %1</source>
        <translation>审核人：%1</translation>
    </message>
    <message>
        <source>Applied</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>提现方</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Risk check</source>
        <translation>风控结果</translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation>审批</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Reason / payout</source>
        <translation>原因 / 打款</translation>
    </message>
    <message>
        <source>&amp;Approve…</source>
        <translation>批准(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Reject…</source>
        <translation>驳回(&amp;R)…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>刷新(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>查询(&amp;S)</translation>
    </message>
    <message>
        <source>Approve the selected withdrawal; you confirm amount and card first.</source>
        <translation>批准所选提现；批准前需先核对金额和银行卡。</translation>
    </message>
    <message>
        <source>Reject the selected withdrawal with a reason; the amount returns to the holder.</source>
        <translation>驳回所选提现并填写原因；金额将退回提现方。</translation>
    </message>
    <message>
        <source>Select a withdrawal to see its risk decisions and approvals.</source>
        <translation>选择一笔提现以查看其风控决策和审批记录。</translation>
    </message>
    <message>
        <source>Read-only: auditors see the queue but cannot approve or reject.</source>
        <translation>只读：审计员可以查看审核队列，但不能批准或驳回。</translation>
    </message>
    <message>
        <source>Review queue</source>
        <translation>审核队列</translation>
    </message>
    <message>
        <source>Every status</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>从：</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>至：</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The queue could not be loaded.</source>
        <translation>无法加载审核队列。</translation>
    </message>
    <message>
        <source>Nothing waits for review.</source>
        <translation>没有待审核的提现。</translation>
    </message>
    <message numerus="yes">
        <source>%n withdrawal(s) wait for review.</source>
        <translation>
            <numerusform>%n 笔提现待审核。</numerusform>
        </translation>
    </message>
    <message>
        <source>Review queue (%1)</source>
        <translation>审核队列 (%1)</translation>
    </message>
    <message>
        <source>The first day is after the last day.</source>
        <translation>开始日期晚于结束日期。</translation>
    </message>
    <message>
        <source>The history could not be loaded: %1</source>
        <translation>无法加载历史记录：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n withdrawal(s), %1 in total.</source>
        <translation>
            <numerusform>%n 笔提现，合计 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>Only the newest %1 are searched; narrow the dates or the status to see older ones.</source>
        <translation>仅查询最新的 %1 笔；请缩小日期或状态范围以查看更早的记录。</translation>
    </message>
    <message>
        <source>The risk decisions could not be loaded: %1</source>
        <translation>无法加载风控决策：%1</translation>
    </message>
    <message>
        <source>Withdrawal %1 · %2</source>
        <translation>提现 %1 · %2</translation>
    </message>
    <message>
        <source>%1 to %2 for %3</source>
        <translation>%1 打款至 %2，提现方：%3</translation>
    </message>
    <message>
        <source>Applied %1</source>
        <translation>申请时间：%1</translation>
    </message>
    <message>
        <source>Approvals: %1</source>
        <translation>审批：%1</translation>
    </message>
    <message>
        <source>First approval by %1 at %2</source>
        <translation>%1 于 %2 首次批准</translation>
    </message>
    <message>
        <source>Review note: %1</source>
        <translation>审核备注：%1</translation>
    </message>
    <message>
        <source>Risk check: %1</source>
        <translation>风控结果：%1</translation>
    </message>
    <message>
        <source>  • %1: %2 (%3)</source>
        <translation>  • %1：%2（%3）</translation>
    </message>
    <message>
        <source>no rule matched</source>
        <translation>未命中规则</translation>
    </message>
    <message>
        <source>  Loading the risk decisions…</source>
        <translation>  正在加载风控决策…</translation>
    </message>
    <message>
        <source>The money is paid out to the card once you confirm.</source>
        <translation>确认后资金将打款至该银行卡。</translation>
    </message>
    <message>
        <source>This withdrawal needs two approvals. Yours is the first; a different platform admin must give the second before anything is paid out.</source>
        <translation>此提现需要两次批准。您的是第一次批准；需另一位平台管理员给出第二次批准后才会打款。</translation>
    </message>
    <message>
        <source>You gave the first approval already; the second must come from a different platform admin.</source>
        <translation>您已给出第一次批准；第二次批准必须由另一位平台管理员给出。</translation>
    </message>
    <message>
        <source>This is the second approval: the money is paid out to the card once you confirm.</source>
        <translation>这是第二次批准：确认后资金将打款至该银行卡。</translation>
    </message>
    <message>
        <source>Approve withdrawal</source>
        <translation>批准提现</translation>
    </message>
    <message>
        <source>Approve paying out %1 to card %2?</source>
        <translation>确认批准向银行卡 %2 打款 %1？</translation>
    </message>
    <message>
        <source>%1

%2</source>
        <translation>%1

%2</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>Reject withdrawal</source>
        <translation>驳回提现</translation>
    </message>
    <message>
        <source>Reject the withdrawal of %1 to card %2 (%3)? The amount returns to the holder&apos;s available balance.</source>
        <translation>确定驳回向银行卡 %2 提现 %1 的申请（%3）吗？金额将退回提现方的可用余额。</translation>
    </message>
    <message>
        <source>Why, for the holder and the audit log (required)</source>
        <translation>驳回原因，将告知提现方并记入审计日志（必填）</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>驳回原因(&amp;R)：</translation>
    </message>
    <message>
        <source>Approving %1…</source>
        <translation>正在批准 %1…</translation>
    </message>
    <message>
        <source>Rejecting %1…</source>
        <translation>正在驳回 %1…</translation>
    </message>
    <message>
        <source>Not approved: %1</source>
        <translation>未批准：%1</translation>
    </message>
    <message>
        <source>Not rejected: %1</source>
        <translation>未驳回：%1</translation>
    </message>
    <message>
        <source>Rejected %1 to %2; the amount is back in the holder&apos;s available balance.</source>
        <translation>已驳回 %1（银行卡 %2）；金额已退回提现方的可用余额。</translation>
    </message>
    <message>
        <source>First approval of %1 recorded. A different platform admin must approve it too.</source>
        <translation>已记录 %1 的首次批准。还需另一位平台管理员批准。</translation>
    </message>
    <message>
        <source>Approved %1 to %2; the payout is on its way.</source>
        <translation>已批准向 %2 打款 %1，款项正在处理中。</translation>
    </message>
    <message numerus="yes">
        <source>The newest %n withdrawal(s) are shown; more, older ones wait as well.</source>
        <translation>
            <numerusform>仅显示最新的 %n 笔提现；还有更早的提现在等待。</numerusform>
        </translation>
    </message>
</context>
</TS>
