<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>paydesk::client::RestClient</name>
    <message>
        <source>The server refused the connection. Is it running at this address?</source>
        <translation>The server refused the connection. Is it running at this address?</translation>
    </message>
    <message>
        <source>The server's host name could not be found.</source>
        <translation>The server's host name could not be found.</translation>
    </message>
    <message>
        <source>The server did not answer in time.</source>
        <translation>The server did not answer in time.</translation>
    </message>
    <message>
        <source>The secure connection could not be established: %1</source>
        <translation>The secure connection could not be established: %1</translation>
    </message>
    <message>
        <source>The server could not be reached: %1</source>
        <translation>The server could not be reached: %1</translation>
    </message>
    <message>
        <source>The CA file %1 cannot be read.</source>
        <translation>The CA file %1 cannot be read.</translation>
    </message>
    <message>
        <source>The CA file %1 holds no PEM certificate.</source>
        <translation>The CA file %1 holds no PEM certificate.</translation>
    </message>
    <message>
        <source>The server presented a different certificate than the one you trusted before. The connection was refused.</source>
        <translation>The server presented a different certificate than the one you trusted before. The connection was refused.</translation>
    </message>
    <message>
        <source>The server's certificate is not trusted yet.</source>
        <translation>The server's certificate is not trusted yet.</translation>
    </message>
    <message>
        <source>The server's answer is larger than this client accepts.</source>
        <translation>The server's answer is larger than this client accepts.</translation>
    </message>
    <message>
        <source>The call was canceled.</source>
        <translation>The call was canceled.</translation>
    </message>
    <message>
        <source>The server answered HTTP %1.</source>
        <translation>The server answered HTTP %1.</translation>
    </message>
    <message>
        <source>The server's answer is not valid JSON.</source>
        <translation>The server's answer is not valid JSON.</translation>
    </message>
</context>
<context>
    <name>paydesk::console::AlertsPage</name>
    <message>
        <source>Critical</source>
        <translation>Critical</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warning</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <source>Abnormal order</source>
        <translation>Abnormal order</translation>
    </message>
    <message>
        <source>Payment for no known order</source>
        <translation>Payment for no known order</translation>
    </message>
    <message>
        <source>Paid through the wrong channel</source>
        <translation>Paid through the wrong channel</translation>
    </message>
    <message>
        <source>Paid twice</source>
        <translation>Paid twice</translation>
    </message>
    <message>
        <source>Channel errors</source>
        <translation>Channel errors</translation>
    </message>
    <message>
        <source>Merchant notification gave up</source>
        <translation>Merchant notification gave up</translation>
    </message>
    <message>
        <source>Refund for no known order</source>
        <translation>Refund for no known order</translation>
    </message>
    <message>
        <source>Refund stuck</source>
        <translation>Refund stuck</translation>
    </message>
    <message>
        <source>Payout failed</source>
        <translation>Payout failed</translation>
    </message>
    <message>
        <source>Payout stuck</source>
        <translation>Payout stuck</translation>
    </message>
    <message>
        <source>Payout blocked</source>
        <translation>Payout blocked</translation>
    </message>
    <message>
        <source>Payout does not match</source>
        <translation>Payout does not match</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation>Severity</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Raised</source>
        <translation>Raised</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>&amp;Acknowledge</source>
        <translation>&amp;Acknowledge</translation>
    </message>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>Every kind</source>
        <translation>Every kind</translation>
    </message>
    <message>
        <source>Mark the selected alerts as seen and handled (Ctrl+K).</source>
        <translation>Mark the selected alerts as seen and handled (Ctrl+K).</translation>
    </message>
    <message>
        <source>Select an alert to see its details.</source>
        <translation>Select an alert to see its details.</translation>
    </message>
    <message>
        <source>&amp;Status:</source>
        <translation>&amp;Status:</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Kind:</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The alerts could not be loaded.</source>
        <translation>The alerts could not be loaded.</translation>
    </message>
    <message>
        <source>The newest %1 shown.</source>
        <translation>The newest %1 shown.</translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s).</source>
        <translation><numerusform>%n alert.</numerusform><numerusform>%n alerts.</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s) selected.</source>
        <translation><numerusform>%n alert selected.</numerusform><numerusform>%n alerts selected.</numerusform></translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>About: %1</source>
        <translation>About: %1</translation>
    </message>
    <message>
        <source>Raised: %1</source>
        <translation>Raised: %1</translation>
    </message>
    <message>
        <source>Details:</source>
        <translation>Details:</translation>
    </message>
    <message>
        <source>Acknowledged by %1 at %2</source>
        <translation>Acknowledged by %1 at %2</translation>
    </message>
    <message>
        <source>Open: nobody has acknowledged it yet.</source>
        <translation>Open: nobody has acknowledged it yet.</translation>
    </message>
    <message>
        <source>Select at most %1 alerts at a time.</source>
        <translation>Select at most %1 alerts at a time.</translation>
    </message>
    <message numerus="yes">
        <source>Acknowledging %n alert(s)…</source>
        <translation><numerusform>Acknowledging %n alert…</numerusform><numerusform>Acknowledging %n alerts…</numerusform></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message numerus="yes">
        <source>Acknowledged %n alert(s).</source>
        <translation><numerusform>Acknowledged %n alert.</numerusform><numerusform>Acknowledged %n alerts.</numerusform></translation>
    </message>
    <message>
        <source>Acknowledged %1; not acknowledged: %2</source>
        <translation>Acknowledged %1; not acknowledged: %2</translation>
    </message>
</context>
<context>
    <name>paydesk::console::Appearance</name>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
</context>
<context>
    <name>paydesk::console::CollectPage</name>
    <message>
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <source>&amp;Alipay</source>
        <translation>&amp;Alipay</translation>
    </message>
    <message>
        <source>&amp;WeChat Pay</source>
        <translation>&amp;WeChat Pay</translation>
    </message>
    <message>
        <source>Show &amp;QR</source>
        <translation>Show &amp;QR</translation>
    </message>
    <message>
        <source>&amp;New collection (F2)</source>
        <translation>&amp;New collection (F2)</translation>
    </message>
    <message>
        <source>Simulate &amp;buyer payment</source>
        <translation>Simulate &amp;buyer payment</translation>
    </message>
    <message>
        <source>&amp;Customer display (F11)</source>
        <translation>&amp;Customer display (F11)</translation>
    </message>
    <message>
        <source>In-store purchase</source>
        <translation>In-store purchase</translation>
    </message>
    <message>
        <source>Sandbox only: the sandbox plays the customer, scans the code and pays.</source>
        <translation>Sandbox only: the sandbox plays the customer, scans the code and pays.</translation>
    </message>
    <message>
        <source>A&amp;mount (CNY):</source>
        <translation>A&amp;mount (CNY):</translation>
    </message>
    <message>
        <source>&amp;Subject:</source>
        <translation>&amp;Subject:</translation>
    </message>
    <message>
        <source>Channel:</source>
        <translation>Channel:</translation>
    </message>
    <message>
        <source>New collection</source>
        <translation>New collection</translation>
    </message>
    <message>
        <source>Enter an amount and press Show QR.
The customer scans the code with Alipay or WeChat.</source>
        <translation>Enter an amount and press Show QR.
The customer scans the code with Alipay or WeChat.</translation>
    </message>
    <message>
        <source>Enter an amount greater than zero, at most two decimals.</source>
        <translation>Enter an amount greater than zero, at most two decimals.</translation>
    </message>
    <message>
        <source>At most %1 per collection.</source>
        <translation>At most %1 per collection.</translation>
    </message>
    <message>
        <source>Enter what the customer pays for.</source>
        <translation>Enter what the customer pays for.</translation>
    </message>
    <message>
        <source>The channel gave no QR code (%1).</source>
        <translation>The channel gave no QR code (%1).</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expired</translation>
    </message>
    <message>
        <source>Expires in %1:%2</source>
        <translation>Expires in %1:%2</translation>
    </message>
    <message>
        <source>Creating order…</source>
        <translation>Creating order…</translation>
    </message>
    <message>
        <source>Order %1</source>
        <translation>Order %1</translation>
    </message>
    <message>
        <source>Waiting for the customer to pay with %1…</source>
        <translation>Waiting for the customer to pay with %1…</translation>
    </message>
    <message>
        <source>Paid %1</source>
        <translation>Paid %1</translation>
    </message>
    <message>
        <source>Order %1 · %2 trade %3</source>
        <translation>Order %1 · %2 trade %3</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Paid</translation>
    </message>
    <message>
        <source>Expired: not paid</source>
        <translation>Expired: not paid</translation>
    </message>
    <message>
        <source>Closed: not paid</source>
        <translation>Closed: not paid</translation>
    </message>
    <message>
        <source>Needs attention: the payment state is unclear</source>
        <translation>Needs attention: the payment state is unclear</translation>
    </message>
    <message>
        <source>Could not create the order</source>
        <translation>Could not create the order</translation>
    </message>
    <message>
        <source>Do not hand over goods yet; check the order in Orders.</source>
        <translation>Do not hand over goods yet; check the order in Orders.</translation>
    </message>
    <message>
        <source>The sandbox did not pay: %1</source>
        <translation>The sandbox did not pay: %1</translation>
    </message>
    <message>
        <source>The sandbox paid; waiting for the channel's notification…</source>
        <translation>The sandbox paid; waiting for the channel's notification…</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ConsoleApp</name>
    <message>
        <source>The sandbox manifest %1 cannot be read.</source>
        <translation>The sandbox manifest %1 cannot be read.</translation>
    </message>
    <message>
        <source>%1 is not a paydesk-sandbox manifest (base_url and ca_file are missing).</source>
        <translation>%1 is not a paydesk-sandbox manifest (base_url and ca_file are missing).</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ConsoleSession</name>
    <message>
        <source>Operator</source>
        <translation>Operator</translation>
    </message>
    <message>
        <source>Merchant admin</source>
        <translation>Merchant admin</translation>
    </message>
    <message>
        <source>Platform admin</source>
        <translation>Platform admin</translation>
    </message>
    <message>
        <source>Auditor</source>
        <translation>Auditor</translation>
    </message>
    <message>
        <source>No role</source>
        <translation>No role</translation>
    </message>
</context>
<context>
    <name>paydesk::console::CustomerDisplay</name>
    <message>
        <source>Paydesk — customer display</source>
        <translation>Paydesk — customer display</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>Welcome</translation>
    </message>
    <message>
        <source>Esc closes this window</source>
        <translation>Esc closes this window</translation>
    </message>
    <message>
        <source>Scan with %1 to pay</source>
        <translation>Scan with %1 to pay</translation>
    </message>
</context>
<context>
    <name>paydesk::console::DailyReportModel</name>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>¥%1 as the bills state it</source>
        <translation>¥%1 as the bills state it</translation>
    </message>
    <message>
        <source>Paid orders per created order</source>
        <translation>Paid orders per created order</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Day</translation>
    </message>
    <message>
        <source>Merchant</source>
        <translation>Merchant</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>Channel account</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Orders</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Paid</translation>
    </message>
    <message>
        <source>Paid (¥)</source>
        <translation>Paid (¥)</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <source>Refunded (¥)</source>
        <translation>Refunded (¥)</translation>
    </message>
    <message>
        <source>Fee (¥)</source>
        <translation>Fee (¥)</translation>
    </message>
    <message>
        <source>Net (¥)</source>
        <translation>Net (¥)</translation>
    </message>
    <message>
        <source>Success rate</source>
        <translation>Success rate</translation>
    </message>
</context>
<context>
    <name>paydesk::console::DashboardPage</name>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>Collected</source>
        <translation>Collected</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Today</translation>
    </message>
    <message>
        <source>Collected today</source>
        <translation>Collected today</translation>
    </message>
    <message>
        <source>Payments today</source>
        <translation>Payments today</translation>
    </message>
    <message>
        <source>Success rate (paid / created)</source>
        <translation>Success rate (paid / created)</translation>
    </message>
    <message>
        <source>Refunded today</source>
        <translation>Refunded today</translation>
    </message>
    <message>
        <source>Orders paid today divided by orders created today.</source>
        <translation>Orders paid today divided by orders created today.</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <source>Today by channel:</source>
        <translation>Today by channel:</translation>
    </message>
    <message>
        <source>CNY</source>
        <translation>CNY</translation>
    </message>
    <message numerus="yes">
        <source>Collected per day, last %n day(s)</source>
        <translation><numerusform>Collected per day, last %n day</numerusform><numerusform>Collected per day, last %n days</numerusform></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The figures could not be loaded: %1</source>
        <translation>The figures could not be loaded: %1</translation>
    </message>
    <message>
        <source>Today, %1</source>
        <translation>Today, %1</translation>
    </message>
    <message>
        <source>Business days start at 00:00 %1.</source>
        <translation>Business days start at 00:00 %1.</translation>
    </message>
    <message>
        <source>%1 paid of %2 created</source>
        <translation>%1 paid of %2 created</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n payment(s)</source>
        <translation><numerusform>%1 · %n payment</numerusform><numerusform>%1 · %n payments</numerusform></translation>
    </message>
    <message>
        <source> · %1 of today</source>
        <translation> · %1 of today</translation>
    </message>
    <message numerus="yes">
        <source>Collected per day, last %n day(s): %1 in total</source>
        <translation><numerusform>Collected per day, last %n day: %1 in total</numerusform><numerusform>Collected per day, last %n days: %1 in total</numerusform></translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>Updated %1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::MainWindow</name>
    <message>
        <source>Paydesk Console</source>
        <translation>Paydesk Console</translation>
    </message>
    <message>
        <source>● Live</source>
        <translation>● Live</translation>
    </message>
    <message>
        <source>○ Reconnecting…</source>
        <translation>○ Reconnecting…</translation>
    </message>
    <message>
        <source>Payments and reviews arrive the moment they happen.</source>
        <translation>Payments and reviews arrive the moment they happen.</translation>
    </message>
    <message>
        <source>The live connection is down; pages refresh by polling.</source>
        <translation>The live connection is down; pages refresh by polling.</translation>
    </message>
    <message>
        <source>○ Connecting…</source>
        <translation>○ Connecting…</translation>
    </message>
    <message>
        <source>%1 · %2 · %3</source>
        <translation>%1 · %2 · %3</translation>
    </message>
    <message>
        <source>Collect</source>
        <translation>Collect</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Orders</translation>
    </message>
    <message>
        <source>Withdrawals</source>
        <translation>Withdrawals</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>Dashboard</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;New collection</source>
        <translation>&amp;New collection</translation>
    </message>
    <message>
        <source>&amp;Export orders to CSV…</source>
        <translation>&amp;Export orders to CSV…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>&amp;Customer display</source>
        <translation>&amp;Customer display</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>&amp;Account</translation>
    </message>
    <message>
        <source>Change &amp;password…</source>
        <translation>Change &amp;password…</translation>
    </message>
    <message>
        <source>Password changed</source>
        <translation>Password changed</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation>Your password was changed.</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Sign &amp;out</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Tools</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Settings…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About Paydesk</source>
        <translation>&amp;About Paydesk</translation>
    </message>
    <message>
        <source>About Paydesk</source>
        <translation>About Paydesk</translation>
    </message>
    <message numerus="yes">
        <source>%n open alert(s)</source>
        <translation><numerusform>%n open alert</numerusform><numerusform>%n open alerts</numerusform></translation>
    </message>
    <message>
        <source>Alerts (%1)</source>
        <translation>Alerts (%1)</translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue; what you entered is kept.</source>
        <translation>Your session has ended. Sign in again to continue; what you entered is kept.</translation>
    </message>
    <message>
        <source>Reconciliation</source>
        <translation>Reconciliation</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Reports</translation>
    </message>
    <message>
        <source>Export &amp;reconciliation to PDF…</source>
        <translation>Export &amp;reconciliation to PDF…</translation>
    </message>
    <message>
        <source>Export the daily &amp;report to CSV…</source>
        <translation>Export the daily &amp;report to CSV…</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Paydesk Console %1&lt;/h3&gt;&lt;p&gt;Collect payments with Alipay and WeChat Pay, search orders, approve withdrawals, follow alerts, reconcile with the channels' bills and report on each day.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Paydesk Console %1&lt;/h3&gt;&lt;p&gt;Collect payments with Alipay and WeChat Pay, search orders, approve withdrawals, follow alerts, reconcile with the channels' bills and report on each day.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>paydesk::console::OrderCsvExport</name>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 cannot be written: %2</translation>
    </message>
    <message>
        <source>Export canceled.</source>
        <translation>Export canceled.</translation>
    </message>
    <message>
        <source>Writing the file failed: %1</source>
        <translation>Writing the file failed: %1</translation>
    </message>
    <message>
        <source>Saving the file failed: %1</source>
        <translation>Saving the file failed: %1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::OrdersModel</name>
    <message>
        <source>Created</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Waiting for payment</source>
        <translation>Waiting for payment</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Paid</translation>
    </message>
    <message>
        <source>Partially refunded</source>
        <translation>Partially refunded</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Closed</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Needs attention</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>Alipay</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>WeChat Pay</translation>
    </message>
    <message>
        <source>Sort by creation time or amount</source>
        <translation>Sort by creation time or amount</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>Order no.</translation>
    </message>
    <message>
        <source>Merchant order no.</source>
        <translation>Merchant order no.</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>Amount (¥)</source>
        <translation>Amount (¥)</translation>
    </message>
    <message>
        <source>Refunded (¥)</source>
        <translation>Refunded (¥)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Created</source>
        <comment>column: when the order was created</comment>
        <translation>Created</translation>
    </message>
</context>
<context>
    <name>paydesk::console::OrdersPage</name>
    <message>
        <source>&amp;Created between</source>
        <translation>&amp;Created between</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Search</translation>
    </message>
    <message>
        <source>&amp;Refund…</source>
        <translation>&amp;Refund…</translation>
    </message>
    <message>
        <source>C&amp;lose order</source>
        <translation>C&amp;lose order</translation>
    </message>
    <message>
        <source>Resend &amp;notification</source>
        <translation>Resend &amp;notification</translation>
    </message>
    <message>
        <source>Order no.</source>
        <translation>Order no.</translation>
    </message>
    <message>
        <source>Merchant order no.</source>
        <translation>Merchant order no.</translation>
    </message>
    <message>
        <source>Channel trade no.</source>
        <translation>Channel trade no.</translation>
    </message>
    <message>
        <source>exact number</source>
        <translation>exact number</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>Any status</translation>
    </message>
    <message>
        <source>Any channel</source>
        <translation>Any channel</translation>
    </message>
    <message>
        <source>min ¥</source>
        <translation>min ¥</translation>
    </message>
    <message>
        <source>max ¥</source>
        <translation>max ¥</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>&amp;Export CSV…</source>
        <translation>&amp;Export CSV…</translation>
    </message>
    <message>
        <source>Amount:</source>
        <translation>Amount:</translation>
    </message>
    <message>
        <source>Select an order to see its timeline, channel log, notifications and refunds.</source>
        <translation>Select an order to see its timeline, channel log, notifications and refunds.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <source>%1 orders shown; scroll for more</source>
        <translation>%1 orders shown; scroll for more</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) found</source>
        <translation><numerusform>%n order found</numerusform><numerusform>%n orders found</numerusform></translation>
    </message>
    <message>
        <source>Search failed: %1</source>
        <translation>Search failed: %1</translation>
    </message>
    <message>
        <source>The minimum amount is not an amount.</source>
        <translation>The minimum amount is not an amount.</translation>
    </message>
    <message>
        <source>The maximum amount is not an amount.</source>
        <translation>The maximum amount is not an amount.</translation>
    </message>
    <message>
        <source>The minimum amount is above the maximum.</source>
        <translation>The minimum amount is above the maximum.</translation>
    </message>
    <message>
        <source>The first date is after the last.</source>
        <translation>The first date is after the last.</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Paid</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <source>Refundable</source>
        <translation>Refundable</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Created</translation>
    </message>
    <message>
        <source>Paid at</source>
        <translation>Paid at</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>Expires</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>Refunds</translation>
    </message>
    <message>
        <source>None</source>
        <translation>None</translation>
    </message>
    <message>
        <source>Channel log</source>
        <translation>Channel log</translation>
    </message>
    <message>
        <source>signature: %1</source>
        <translation>signature: %1</translation>
    </message>
    <message>
        <source>Merchant notifications</source>
        <translation>Merchant notifications</translation>
    </message>
    <message>
        <source>None (no notify_url, or not paid yet)</source>
        <translation>None (no notify_url, or not paid yet)</translation>
    </message>
    <message numerus="yes">
        <source>%n attempt(s)</source>
        <translation><numerusform>%n attempt</numerusform><numerusform>%n attempts</numerusform></translation>
    </message>
    <message>
        <source>Close order</source>
        <translation>Close order</translation>
    </message>
    <message>
        <source>Close order %1 (%2)? The customer can no longer pay it.</source>
        <translation>Close order %1 (%2)? The customer can no longer pay it.</translation>
    </message>
    <message>
        <source>Resend notification</source>
        <translation>Resend notification</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation>Export orders</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Exporting orders…</source>
        <translation>Exporting orders…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Exporting orders… %1 written</source>
        <translation>Exporting orders… %1 written</translation>
    </message>
    <message>
        <source>%1 orders exported to %2</source>
        <translation>%1 orders exported to %2</translation>
    </message>
</context>
<context>
    <name>paydesk::console::PasswordChangeDialog</name>
    <message>
        <source>Change password</source>
        <translation>Change password</translation>
    </message>
    <message>
        <source>&amp;Current password:</source>
        <translation>&amp;Current password:</translation>
    </message>
    <message>
        <source>&amp;New password:</source>
        <translation>&amp;New password:</translation>
    </message>
    <message>
        <source>&amp;Repeat new password:</source>
        <translation>&amp;Repeat new password:</translation>
    </message>
    <message>
        <source>Choose a new password of at least 12 characters.</source>
        <translation>Choose a new password of at least 12 characters.</translation>
    </message>
    <message>
        <source>The new passwords differ.</source>
        <translation>The new passwords differ.</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationCsv</name>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 cannot be written: %2</translation>
    </message>
    <message>
        <source>Saving the file failed: %1</source>
        <translation>Saving the file failed: %1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationItemsModel</name>
    <message>
        <source>Only in the bill</source>
        <translation>Only in the bill</translation>
    </message>
    <message>
        <source>Missing from the bill</source>
        <translation>Missing from the bill</translation>
    </message>
    <message>
        <source>Amounts differ</source>
        <translation>Amounts differ</translation>
    </message>
    <message>
        <source>States differ</source>
        <translation>States differ</translation>
    </message>
    <message>
        <source>Bill summary does not add up</source>
        <translation>Bill summary does not add up</translation>
    </message>
    <message>
        <source>Internal check failed</source>
        <translation>Internal check failed</translation>
    </message>
    <message>
        <source>Booked on another day</source>
        <translation>Booked on another day</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Carried to the next day</source>
        <translation>Carried to the next day</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <source>Books corrected</source>
        <translation>Books corrected</translation>
    </message>
    <message>
        <source>Money returned to the payer</source>
        <translation>Money returned to the payer</translation>
    </message>
    <message>
        <source>The channel's bill was wrong</source>
        <translation>The channel's bill was wrong</translation>
    </message>
    <message>
        <source>Written off</source>
        <translation>Written off</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplicate</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>Repaired by a channel query</source>
        <translation>Repaired by a channel query</translation>
    </message>
    <message>
        <source>Booked the next day</source>
        <translation>Booked the next day</translation>
    </message>
    <message>
        <source>Cleared by a re-run</source>
        <translation>Cleared by a re-run</translation>
    </message>
    <message>
        <source>Internal checks</source>
        <translation>Internal checks</translation>
    </message>
    <message>
        <source>Found</source>
        <translation>Found</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>Channel account</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Order / refund no.</source>
        <translation>Order / refund no.</translation>
    </message>
    <message>
        <source>Paydesk (¥)</source>
        <translation>Paydesk (¥)</translation>
    </message>
    <message>
        <source>Bill (¥)</source>
        <translation>Bill (¥)</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Resolution</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationPage</name>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>&amp;Run now</source>
        <translation>&amp;Run now</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>Export &amp;CSV…</translation>
    </message>
    <message>
        <source>Export &amp;PDF…</source>
        <translation>Export &amp;PDF…</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>Matched</translation>
    </message>
    <message>
        <source>Discrepancies</source>
        <translation>Discrepancies</translation>
    </message>
    <message>
        <source>Re&amp;solve…</source>
        <translation>Re&amp;solve…</translation>
    </message>
    <message>
        <source>All channel accounts</source>
        <translation>All channel accounts</translation>
    </message>
    <message>
        <source>Reconcile the chosen day again now, for the chosen channel account or all of them.</source>
        <translation>Reconcile the chosen day again now, for the chosen channel account or all of them.</translation>
    </message>
    <message>
        <source>&amp;Day:</source>
        <translation>&amp;Day:</translation>
    </message>
    <message>
        <source>C&amp;hannel:</source>
        <translation>C&amp;hannel:</translation>
    </message>
    <message>
        <source>Read-only: auditors see the reconciliation but cannot run or resolve.</source>
        <translation>Read-only: auditors see the reconciliation but cannot run or resolve.</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>Channel account</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Bill payments</source>
        <translation>Bill payments</translation>
    </message>
    <message>
        <source>Paydesk payments</source>
        <translation>Paydesk payments</translation>
    </message>
    <message>
        <source>Bill refunds</source>
        <translation>Bill refunds</translation>
    </message>
    <message>
        <source>Paydesk refunds</source>
        <translation>Paydesk refunds</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>Fees</translation>
    </message>
    <message>
        <source>Cross-day</source>
        <translation>Cross-day</translation>
    </message>
    <message>
        <source>Repaired</source>
        <translation>Repaired</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Duration</translation>
    </message>
    <message>
        <source>Double-click a channel account to list only its discrepancies.</source>
        <translation>Double-click a channel account to list only its discrepancies.</translation>
    </message>
    <message>
        <source>%1: %2 matched, %3 discrepancies</source>
        <translation>%1: %2 matched, %3 discrepancies</translation>
    </message>
    <message>
        <source>Every status</source>
        <translation>Every status</translation>
    </message>
    <message>
        <source>Every kind</source>
        <translation>Every kind</translation>
    </message>
    <message>
        <source>Record what was done about the selected discrepancy.</source>
        <translation>Record what was done about the selected discrepancy.</translation>
    </message>
    <message>
        <source>Select a discrepancy to see its details.</source>
        <translation>Select a discrepancy to see its details.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Discrepancies&lt;/b&gt;</source>
        <translation>&lt;b&gt;Discrepancies&lt;/b&gt;</translation>
    </message>
    <message>
        <source>S&amp;tatus:</source>
        <translation>S&amp;tatus:</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>&amp;Kind:</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>%1 shown; scroll for more</source>
        <translation>%1 shown; scroll for more</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s)</source>
        <translation><numerusform>%n item</numerusform><numerusform>%n items</numerusform></translation>
    </message>
    <message>
        <source>The items could not be loaded.</source>
        <translation>The items could not be loaded.</translation>
    </message>
    <message>
        <source>The runs could not be loaded: %1</source>
        <translation>The runs could not be loaded: %1</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>Started %1</translation>
    </message>
    <message>
        <source>Starting the reconciliation of %1…</source>
        <translation>Starting the reconciliation of %1…</translation>
    </message>
    <message>
        <source>Starting the reconciliation of %1 for %2…</source>
        <translation>Starting the reconciliation of %1 for %2…</translation>
    </message>
    <message>
        <source>The reconciliation did not start: %1</source>
        <translation>The reconciliation did not start: %1</translation>
    </message>
    <message>
        <source>The reconciliation finished.</source>
        <translation>The reconciliation finished.</translation>
    </message>
    <message>
        <source>The run is still going; refresh later to see its result.</source>
        <translation>The run is still going; refresh later to see its result.</translation>
    </message>
    <message>
        <source>The run could not be followed: %1</source>
        <translation>The run could not be followed: %1</translation>
    </message>
    <message>
        <source>Reconciling %1: %2 line(s) read</source>
        <translation>Reconciling %1: %2 line(s) read</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>Channel account: %1 · day %2</source>
        <translation>Channel account: %1 · day %2</translation>
    </message>
    <message>
        <source>About: %1 %2</source>
        <translation>About: %1 %2</translation>
    </message>
    <message>
        <source>Channel trade no.: %1</source>
        <translation>Channel trade no.: %1</translation>
    </message>
    <message>
        <source>no record</source>
        <translation>no record</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Paydesk: %1</source>
        <translation>Paydesk: %1</translation>
    </message>
    <message>
        <source>Bill: %1</source>
        <translation>Bill: %1</translation>
    </message>
    <message>
        <source>Found %1 by run %2</source>
        <translation>Found %1 by run %2</translation>
    </message>
    <message>
        <source>Resolved as “%1” at %2</source>
        <translation>Resolved as “%1” at %2</translation>
    </message>
    <message>
        <source>Resolved as “%1” by %2 at %3</source>
        <translation>Resolved as “%1” by %2 at %3</translation>
    </message>
    <message>
        <source>Note: %1</source>
        <translation>Note: %1</translation>
    </message>
    <message>
        <source>Resolving %1…</source>
        <translation>Resolving %1…</translation>
    </message>
    <message>
        <source>Not resolved: %1</source>
        <translation>Not resolved: %1</translation>
    </message>
    <message>
        <source>Resolved %1 as “%2”.</source>
        <translation>Resolved %1 as “%2”.</translation>
    </message>
    <message>
        <source>The items could not be loaded: %1</source>
        <translation>The items could not be loaded: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) and the runs' totals exported to %1</source>
        <translation><numerusform>%n item and the runs' totals exported to %1</numerusform><numerusform>%n items and the runs' totals exported to %1</numerusform></translation>
    </message>
    <message numerus="yes">
        <source>Report of %n page(s) written to %1</source>
        <translation><numerusform>Report of %n page written to %1</numerusform><numerusform>Report of %n pages written to %1</numerusform></translation>
    </message>
    <message>
        <source>Export reconciliation</source>
        <translation>Export reconciliation</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Export reconciliation report</source>
        <translation>Export reconciliation report</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
    <message>
        <source>Matched and discrepancies per day, %1 to %2</source>
        <translation>Matched and discrepancies per day, %1 to %2</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationPdf</name>
    <message>
        <source>Paydesk reconciliation</source>
        <translation>Paydesk reconciliation</translation>
    </message>
    <message>
        <source>Business day %1 (UTC+8)</source>
        <translation>Business day %1 (UTC+8)</translation>
    </message>
    <message>
        <source>Generated %1</source>
        <translation>Generated %1</translation>
    </message>
    <message>
        <source>Runs per channel account</source>
        <translation>Runs per channel account</translation>
    </message>
    <message>
        <source>This day has not been reconciled.</source>
        <translation>This day has not been reconciled.</translation>
    </message>
    <message>
        <source>Channel account</source>
        <translation>Channel account</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Bill payments</source>
        <translation>Bill payments</translation>
    </message>
    <message>
        <source>Paydesk payments</source>
        <translation>Paydesk payments</translation>
    </message>
    <message>
        <source>Bill refunds</source>
        <translation>Bill refunds</translation>
    </message>
    <message>
        <source>Paydesk refunds</source>
        <translation>Paydesk refunds</translation>
    </message>
    <message>
        <source>Fees</source>
        <translation>Fees</translation>
    </message>
    <message>
        <source>Matched</source>
        <translation>Matched</translation>
    </message>
    <message>
        <source>Cross-day</source>
        <translation>Cross-day</translation>
    </message>
    <message>
        <source>Discrepancies</source>
        <translation>Discrepancies</translation>
    </message>
    <message>
        <source>Repaired</source>
        <translation>Repaired</translation>
    </message>
    <message>
        <source>Discrepancies (%1)</source>
        <translation>Discrepancies (%1)</translation>
    </message>
    <message>
        <source>None.</source>
        <translation>None.</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>Order / refund no.</source>
        <translation>Order / refund no.</translation>
    </message>
    <message>
        <source>Paydesk (¥)</source>
        <translation>Paydesk (¥)</translation>
    </message>
    <message>
        <source>Bill (¥)</source>
        <translation>Bill (¥)</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <source>The first %1 of %2 items are listed; the CSV export has all of them.</source>
        <translation>The first %1 of %2 items are listed; the CSV export has all of them.</translation>
    </message>
    <message>
        <source>Amounts in CNY. Fees are the channels' as their bills state them.</source>
        <translation>Amounts in CNY. Fees are the channels' as their bills state them.</translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 cannot be written: %2</translation>
    </message>
    <message>
        <source>Paydesk reconciliation %1</source>
        <translation>Paydesk reconciliation %1</translation>
    </message>
    <message>
        <source>Saving the file failed: %1</source>
        <translation>Saving the file failed: %1</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReconciliationRunText</name>
    <message>
        <source>Running</source>
        <translation>Running</translation>
    </message>
    <message numerus="yes">
        <source>Done, %n discrepancy(ies)</source>
        <translation><numerusform>Done, %n discrepancy</numerusform><numerusform>Done, %n discrepancies</numerusform></translation>
    </message>
    <message>
        <source>Done, all matched</source>
        <translation>Done, all matched</translation>
    </message>
    <message>
        <source>No bill</source>
        <translation>No bill</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Failed: %1</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1: passed</source>
        <translation>%1: passed</translation>
    </message>
    <message>
        <source>%1: FAILED</source>
        <translation>%1: FAILED</translation>
    </message>
</context>
<context>
    <name>paydesk::console::RefundDialog</name>
    <message>
        <source>Refund order %1</source>
        <translation>Refund order %1</translation>
    </message>
    <message>
        <source>shown to the customer by the channel</source>
        <translation>shown to the customer by the channel</translation>
    </message>
    <message>
        <source>Paid:</source>
        <translation>Paid:</translation>
    </message>
    <message>
        <source>Refundable:</source>
        <translation>Refundable:</translation>
    </message>
    <message>
        <source>Refund &amp;amount (CNY):</source>
        <translation>Refund &amp;amount (CNY):</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Reason:</translation>
    </message>
    <message>
        <source>&amp;Refund</source>
        <translation>&amp;Refund</translation>
    </message>
    <message>
        <source>Enter an amount from 0.01 to %1.</source>
        <translation>Enter an amount from 0.01 to %1.</translation>
    </message>
    <message>
        <source>Refund the full %1 to the customer? This cannot be undone.</source>
        <translation>Refund the full %1 to the customer? This cannot be undone.</translation>
    </message>
    <message>
        <source>Refund %1 of %2 to the customer? This cannot be undone.</source>
        <translation>Refund %1 of %2 to the customer? This cannot be undone.</translation>
    </message>
    <message>
        <source>Confirm refund</source>
        <translation>Confirm refund</translation>
    </message>
    <message>
        <source>Refunding…</source>
        <translation>Refunding…</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ReportsPage</name>
    <message>
        <source>&amp;Show</source>
        <translation>&amp;Show</translation>
    </message>
    <message>
        <source>Export &amp;CSV…</source>
        <translation>Export &amp;CSV…</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Paid</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Refunded</translation>
    </message>
    <message>
        <source>All merchants</source>
        <translation>All merchants</translation>
    </message>
    <message>
        <source>All channel accounts</source>
        <translation>All channel accounts</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;From:</translation>
    </message>
    <message>
        <source>&amp;To:</source>
        <translation>&amp;To:</translation>
    </message>
    <message>
        <source>&amp;Merchant:</source>
        <translation>&amp;Merchant:</translation>
    </message>
    <message>
        <source>C&amp;hannel:</source>
        <translation>C&amp;hannel:</translation>
    </message>
    <message>
        <source>CNY</source>
        <translation>CNY</translation>
    </message>
    <message>
        <source>Paid and refunded per day</source>
        <translation>Paid and refunded per day</translation>
    </message>
    <message>
        <source>%1: paid %2, refunded %3</source>
        <translation>%1: paid %2, refunded %3</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The first day is after the last day.</source>
        <translation>The first day is after the last day.</translation>
    </message>
    <message>
        <source>Choose at most %1 days.</source>
        <translation>Choose at most %1 days.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The report could not be loaded: %1</source>
        <translation>The report could not be loaded: %1</translation>
    </message>
    <message>
        <source>No business in these days.</source>
        <translation>No business in these days.</translation>
    </message>
    <message numerus="yes">
        <source>%1 paid, %2 refunded, %3 net over %n row(s).</source>
        <translation><numerusform>%1 paid, %2 refunded, %3 net over %n row.</numerusform><numerusform>%1 paid, %2 refunded, %3 net over %n rows.</numerusform></translation>
    </message>
    <message>
        <source>%1 cannot be written: %2</source>
        <translation>%1 cannot be written: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) exported to %1</source>
        <translation><numerusform>%n row exported to %1</numerusform><numerusform>%n rows exported to %1</numerusform></translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Export report</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
</context>
<context>
    <name>paydesk::console::ResolveItemDialog</name>
    <message>
        <source>Resolve discrepancy</source>
        <translation>Resolve discrepancy</translation>
    </message>
    <message>
        <source>%1 · %2 · %3
Paydesk %4, bill %5</source>
        <translation>%1 · %2 · %3
Paydesk %4, bill %5</translation>
    </message>
    <message>
        <source>What was done and why, for the audit log (required)</source>
        <translation>What was done and why, for the audit log (required)</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>Resolve</translation>
    </message>
    <message>
        <source>&amp;Resolution:</source>
        <translation>&amp;Resolution:</translation>
    </message>
    <message>
        <source>&amp;Note:</source>
        <translation>&amp;Note:</translation>
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
        <translation>Settings</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>System language</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dark</translation>
    </message>
    <message>
        <source>var/sandbox/sandbox.json (optional)</source>
        <translation>var/sandbox/sandbox.json (optional)</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>&amp;Browse…</translation>
    </message>
    <message>
        <source>Sandbox manifest</source>
        <translation>Sandbox manifest</translation>
    </message>
    <message>
        <source>Sandbox manifest (sandbox.json)</source>
        <translation>Sandbox manifest (sandbox.json)</translation>
    </message>
    <message>
        <source>&amp;Forget the trusted certificate of %1</source>
        <translation>&amp;Forget the trusted certificate of %1</translation>
    </message>
    <message>
        <source>Forget certificate</source>
        <translation>Forget certificate</translation>
    </message>
    <message>
        <source>Forget the certificate trusted for %1? The next sign-in asks again.</source>
        <translation>Forget the certificate trusted for %1? The next sign-in asks again.</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Language:</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>&amp;Theme:</translation>
    </message>
    <message>
        <source>Sandbox &amp;manifest:</source>
        <translation>Sandbox &amp;manifest:</translation>
    </message>
</context>
<context>
    <name>paydesk::console::SignInDialog</name>
    <message>
        <source>One-time &amp;code:</source>
        <translation>One-time &amp;code:</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Sign in</translation>
    </message>
    <message>
        <source>Sign in to Paydesk</source>
        <translation>Sign in to Paydesk</translation>
    </message>
    <message>
        <source>Merchant and admin console</source>
        <translation>Merchant and admin console</translation>
    </message>
    <message>
        <source>6 digits from your authenticator app</source>
        <translation>6 digits from your authenticator app</translation>
    </message>
    <message>
        <source>Se&amp;rver:</source>
        <translation>Se&amp;rver:</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>&amp;Username:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Password:</translation>
    </message>
    <message>
        <source>Enter the server as https://host:port.</source>
        <translation>Enter the server as https://host:port.</translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation>Enter your username and password.</translation>
    </message>
    <message>
        <source>Enter the 6-digit code from your authenticator app.</source>
        <translation>Enter the 6-digit code from your authenticator app.</translation>
    </message>
    <message>
        <source>Refused: this server now presents a different certificate than the one you trusted (SHA-256 %1). Someone may be intercepting the connection. If the server's certificate was replaced on purpose, forget the old one in Settings and sign in again.</source>
        <translation>Refused: this server now presents a different certificate than the one you trusted (SHA-256 %1). Someone may be intercepting the connection. If the server's certificate was replaced on purpose, forget the old one in Settings and sign in again.</translation>
    </message>
    <message>
        <source>This account uses a second factor: enter the one-time code.</source>
        <translation>This account uses a second factor: enter the one-time code.</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed sign-ins: sign-in is locked for %n more minute(s).</source>
        <translation><numerusform>Too many failed sign-ins: sign-in is locked for %n more minute.</numerusform><numerusform>Too many failed sign-ins: sign-in is locked for %n more minutes.</numerusform></translation>
    </message>
    <message>
        <source>Wrong username, password or one-time code.</source>
        <translation>Wrong username, password or one-time code.</translation>
    </message>
    <message>
        <source>Wrong username or password.</source>
        <translation>Wrong username or password.</translation>
    </message>
    <message>
        <source>Trust this server?</source>
        <translation>Trust this server?</translation>
    </message>
    <message>
        <source>The server %1 presents a certificate that this computer does not trust yet.</source>
        <translation>The server %1 presents a certificate that this computer does not trust yet.</translation>
    </message>
    <message>
        <source>Compare its SHA-256 fingerprint with the one the server's administrator gives you (paydesk-server prints it at start):

%1

Issued to: %2
Valid until: %3</source>
        <translation>Compare its SHA-256 fingerprint with the one the server's administrator gives you (paydesk-server prints it at start):

%1

Issued to: %2
Valid until: %3</translation>
    </message>
    <message>
        <source>&amp;Trust this certificate</source>
        <translation>&amp;Trust this certificate</translation>
    </message>
    <message>
        <source>Use a &amp;CA file…</source>
        <translation>Use a &amp;CA file…</translation>
    </message>
    <message>
        <source>The server's CA certificate</source>
        <translation>The server's CA certificate</translation>
    </message>
    <message>
        <source>PEM certificates (*.pem *.crt);;All files (*)</source>
        <translation>PEM certificates (*.pem *.crt);;All files (*)</translation>
    </message>
    <message>
        <source>Not signed in: the server's certificate was not trusted.</source>
        <translation>Not signed in: the server's certificate was not trusted.</translation>
    </message>
    <message>
        <source>Choose a new password to finish signing in.</source>
        <translation>Choose a new password to finish signing in.</translation>
    </message>
</context>
<context>
    <name>paydesk::console::WithdrawalsPage</name>
    <message>
        <source>Merchant %1</source>
        <translation>Merchant %1</translation>
    </message>
    <message>
        <source>App user %1</source>
        <translation>App user %1</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Pending review</source>
        <translation>Pending review</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>Paying out</source>
        <translation>Paying out</translation>
    </message>
    <message>
        <source>Paid out</source>
        <translation>Paid out</translation>
    </message>
    <message>
        <source>Payout failed</source>
        <translation>Payout failed</translation>
    </message>
    <message>
        <source>Rejected by an admin</source>
        <translation>Rejected by an admin</translation>
    </message>
    <message>
        <source>Refused by a risk rule</source>
        <translation>Refused by a risk rule</translation>
    </message>
    <message>
        <source>Review: %1</source>
        <translation>Review: %1</translation>
    </message>
    <message>
        <source>Refused: %1</source>
        <translation>Refused: %1</translation>
    </message>
    <message>
        <source>Passed</source>
        <translation>Passed</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 of %2</translation>
    </message>
    <message>
        <source>%1 of %2 · two admins needed</source>
        <translation>%1 of %2 · two admins needed</translation>
    </message>
    <message>
        <source>%1 of %2 · first by you; another admin must approve</source>
        <translation>%1 of %2 · first by you; another admin must approve</translation>
    </message>
    <message>
        <source>%1 of %2 · first by %3</source>
        <translation>%1 of %2 · first by %3</translation>
    </message>
    <message>
        <source>Payout %1</source>
        <translation>Payout %1</translation>
    </message>
    <message>
        <source>By %1</source>
        <translation>By %1</translation>
    </message>
    <message>
        <source>Applied</source>
        <translation>Applied</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>Holder</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bank card</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Amount</translation>
    </message>
    <message>
        <source>Risk check</source>
        <translation>Risk check</translation>
    </message>
    <message>
        <source>Approvals</source>
        <translation>Approvals</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Reason / payout</source>
        <translation>Reason / payout</translation>
    </message>
    <message>
        <source>&amp;Approve…</source>
        <translation>&amp;Approve…</translation>
    </message>
    <message>
        <source>&amp;Reject…</source>
        <translation>&amp;Reject…</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Re&amp;fresh</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>&amp;Show</translation>
    </message>
    <message>
        <source>Approve the selected withdrawal; you confirm amount and card first.</source>
        <translation>Approve the selected withdrawal; you confirm amount and card first.</translation>
    </message>
    <message>
        <source>Reject the selected withdrawal with a reason; the amount returns to the holder.</source>
        <translation>Reject the selected withdrawal with a reason; the amount returns to the holder.</translation>
    </message>
    <message>
        <source>Select a withdrawal to see its risk decisions and approvals.</source>
        <translation>Select a withdrawal to see its risk decisions and approvals.</translation>
    </message>
    <message>
        <source>Read-only: auditors see the queue but cannot approve or reject.</source>
        <translation>Read-only: auditors see the queue but cannot approve or reject.</translation>
    </message>
    <message>
        <source>Review queue</source>
        <translation>Review queue</translation>
    </message>
    <message>
        <source>Every status</source>
        <translation>Every status</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>From:</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>To:</translation>
    </message>
    <message>
        <source>History</source>
        <translation>History</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>The queue could not be loaded.</source>
        <translation>The queue could not be loaded.</translation>
    </message>
    <message>
        <source>Nothing waits for review.</source>
        <translation>Nothing waits for review.</translation>
    </message>
    <message numerus="yes">
        <source>%n withdrawal(s) wait for review.</source>
        <translation><numerusform>%n withdrawal wait for review.</numerusform><numerusform>%n withdrawals wait for review.</numerusform></translation>
    </message>
    <message>
        <source>Review queue (%1)</source>
        <translation>Review queue (%1)</translation>
    </message>
    <message>
        <source>The first day is after the last day.</source>
        <translation>The first day is after the last day.</translation>
    </message>
    <message>
        <source>The history could not be loaded: %1</source>
        <translation>The history could not be loaded: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n withdrawal(s), %1 in total.</source>
        <translation><numerusform>%n withdrawal, %1 in total.</numerusform><numerusform>%n withdrawals, %1 in total.</numerusform></translation>
    </message>
    <message>
        <source>Only the newest %1 are searched; narrow the dates or the status to see older ones.</source>
        <translation>Only the newest %1 are searched; narrow the dates or the status to see older ones.</translation>
    </message>
    <message>
        <source>The risk decisions could not be loaded: %1</source>
        <translation>The risk decisions could not be loaded: %1</translation>
    </message>
    <message>
        <source>Withdrawal %1 · %2</source>
        <translation>Withdrawal %1 · %2</translation>
    </message>
    <message>
        <source>%1 to %2 for %3</source>
        <translation>%1 to %2 for %3</translation>
    </message>
    <message>
        <source>Applied %1</source>
        <translation>Applied %1</translation>
    </message>
    <message>
        <source>Approvals: %1</source>
        <translation>Approvals: %1</translation>
    </message>
    <message>
        <source>First approval by %1 at %2</source>
        <translation>First approval by %1 at %2</translation>
    </message>
    <message>
        <source>Review note: %1</source>
        <translation>Review note: %1</translation>
    </message>
    <message>
        <source>Risk check: %1</source>
        <translation>Risk check: %1</translation>
    </message>
    <message>
        <source>  • %1: %2 (%3)</source>
        <translation>  • %1: %2 (%3)</translation>
    </message>
    <message>
        <source>no rule matched</source>
        <translation>no rule matched</translation>
    </message>
    <message>
        <source>  Loading the risk decisions…</source>
        <translation>  Loading the risk decisions…</translation>
    </message>
    <message>
        <source>The money is paid out to the card once you confirm.</source>
        <translation>The money is paid out to the card once you confirm.</translation>
    </message>
    <message>
        <source>This withdrawal needs two approvals. Yours is the first; a different platform admin must give the second before anything is paid out.</source>
        <translation>This withdrawal needs two approvals. Yours is the first; a different platform admin must give the second before anything is paid out.</translation>
    </message>
    <message>
        <source>You gave the first approval already; the second must come from a different platform admin.</source>
        <translation>You gave the first approval already; the second must come from a different platform admin.</translation>
    </message>
    <message>
        <source>This is the second approval: the money is paid out to the card once you confirm.</source>
        <translation>This is the second approval: the money is paid out to the card once you confirm.</translation>
    </message>
    <message>
        <source>Approve withdrawal</source>
        <translation>Approve withdrawal</translation>
    </message>
    <message>
        <source>Approve paying out %1 to card %2?</source>
        <translation>Approve paying out %1 to card %2?</translation>
    </message>
    <message>
        <source>%1

%2</source>
        <translation>%1

%2</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Approve</translation>
    </message>
    <message>
        <source>Reject withdrawal</source>
        <translation>Reject withdrawal</translation>
    </message>
    <message>
        <source>Reject the withdrawal of %1 to card %2 (%3)? The amount returns to the holder's available balance.</source>
        <translation>Reject the withdrawal of %1 to card %2 (%3)? The amount returns to the holder's available balance.</translation>
    </message>
    <message>
        <source>Why, for the holder and the audit log (required)</source>
        <translation>Why, for the holder and the audit log (required)</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Reason:</translation>
    </message>
    <message>
        <source>Approving %1…</source>
        <translation>Approving %1…</translation>
    </message>
    <message>
        <source>Rejecting %1…</source>
        <translation>Rejecting %1…</translation>
    </message>
    <message>
        <source>Not approved: %1</source>
        <translation>Not approved: %1</translation>
    </message>
    <message>
        <source>Not rejected: %1</source>
        <translation>Not rejected: %1</translation>
    </message>
    <message>
        <source>Rejected %1 to %2; the amount is back in the holder's available balance.</source>
        <translation>Rejected %1 to %2; the amount is back in the holder's available balance.</translation>
    </message>
    <message>
        <source>First approval of %1 recorded. A different platform admin must approve it too.</source>
        <translation>First approval of %1 recorded. A different platform admin must approve it too.</translation>
    </message>
    <message>
        <source>Approved %1 to %2; the payout is on its way.</source>
        <translation>Approved %1 to %2; the payout is on its way.</translation>
    </message>
    <message numerus="yes">
        <source>The newest %n withdrawal(s) are shown; more, older ones wait as well.</source>
        <translation><numerusform>The newest %n withdrawal are shown; more, older ones wait as well.</numerusform><numerusform>The newest %n withdrawals are shown; more, older ones wait as well.</numerusform></translation>
    </message>
</context>
</TS>
