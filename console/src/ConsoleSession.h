#pragma once

// The signed-in state of the console: the server it talks to, the staff user and role, the API
// client and the event stream. Every page gets it by constructor; nothing is global.

#include "common/client/EventStream.h"
#include "common/client/RestClient.h"

#include <QJsonObject>
#include <QObject>

namespace paydesk::console {

class ConsoleSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleSession)

public:
    enum class Role { None, Operator, MerchantAdmin, PlatformAdmin, Auditor };

    explicit ConsoleSession(QObject *parent = nullptr);

    client::RestClient &api() { return *m_api; }
    client::EventStream &events() { return *m_events; }

    /// Takes the answer of POST /v1/sessions: token, expiry and user.
    void begin(const QJsonObject &session);
    /// Signs out at the server (best effort) and forgets the token.
    void signOut();
    /// The token stopped working; keeps the user so the sign-in can be prefilled.
    void expire();

    bool isSignedIn() const { return !m_api->token().isEmpty(); }
    const QJsonObject &user() const { return m_user; }
    QString username() const;
    QString merchantId() const;
    Role role() const { return m_role; }
    QString roleTitle() const;

    bool canCollect() const { return m_role == Role::Operator || m_role == Role::MerchantAdmin; }
    bool canRefund() const { return m_role == Role::MerchantAdmin; }
    bool canClose() const { return m_role == Role::Operator || m_role == Role::MerchantAdmin; }
    bool canResendNotifications() const { return m_role != Role::Auditor && m_role != Role::None; }
    bool canReviewWithdrawals() const { return m_role == Role::PlatformAdmin; }
    /// Refunds in flight that the channel holds as ABNORMAL, or that need a decision by hand.
    bool canSettleRefunds() const { return m_role == Role::PlatformAdmin; }
    bool canSeeWithdrawals() const { return m_role == Role::PlatformAdmin || m_role == Role::Auditor; }
    bool canSeeAlerts() const { return m_role == Role::PlatformAdmin || m_role == Role::Auditor; }
    bool canAcknowledgeAlerts() const { return m_role == Role::PlatformAdmin; }
    bool canSeeReconciliation() const { return m_role == Role::PlatformAdmin || m_role == Role::Auditor; }
    bool canRunReconciliation() const { return m_role == Role::PlatformAdmin; }
    /// Platform staff see every merchant (and may filter by one); merchant staff see their own.
    bool seesAllMerchants() const { return m_role == Role::PlatformAdmin || m_role == Role::Auditor; }

    /// Sandbox control (the buyer's side), when the console was given the sandbox's manifest.
    void setSandbox(const QUrl &controlUrl, const QString &caFile);
    bool hasSandbox() const { return m_sandbox != nullptr; }
    client::RestClient *sandbox() { return m_sandbox; }

signals:
    void signedIn();
    void signedOut();
    void expired();

private:
    client::RestClient *m_api;
    client::EventStream *m_events;
    client::RestClient *m_sandbox = nullptr;
    QJsonObject m_user;
    Role m_role = Role::None;
};

} // namespace paydesk::console
