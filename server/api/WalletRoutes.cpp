#include "server/api/WalletRoutes.h"

#include "server/api/ApiContext.h"
#include "server/api/RouteSupport.h"

#include "common/protocol/ApiError.h"
#include "server/audit/AuditLog.h"
#include "server/http/Router.h"
#include "server/payments/Payments.h"
#include "server/security/FieldCipher.h"
#include "server/store/Database.h"
#include "server/store/DbWriter.h"
#include "server/channels/payout/PayoutChannel.h"
#include "server/payments/ChannelStore.h"
#include "server/wallet/WalletService.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace paydesk {

namespace {

const QList<AuthScheme> kApp{AuthScheme::AppSession};
const QList<AuthScheme> kStaff{AuthScheme::StaffSession};
const QList<AuthScheme> kMerchant{AuthScheme::Signed, AuthScheme::StaffSession};
const QList<Role> kMerchantReaders{Role::MerchantAdmin, Role::Operator};
const QList<Role> kMerchantWriters{Role::MerchantAdmin};

Holder appHolder(const HttpRequest &request)
{
    return Holder{u"user"_s, request.principal->id};
}

// A merchant's API key, or one of its staff.
Holder merchantHolder(const HttpRequest &request)
{
    if (request.principal->merchantId.isEmpty())
        throw ApiError(ErrorCode::Forbidden, u"Only a merchant's key or staff have a merchant wallet."_s);
    return Holder{u"merchant"_s, request.principal->merchantId};
}

struct Page
{
    QString before;
    int limit = 50;
};

Page pageOf(const HttpRequest &request)
{
    const QUrlQuery query = request.queryItems();
    Page page;
    page.before = query.queryItemValue(u"before"_s).left(64);
    if (query.hasQueryItem(u"limit"_s)) {
        bool ok = false;
        page.limit = query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok || page.limit < 1 || page.limit > 200)
            throw ApiError(ErrorCode::ValidationFailed, u"limit must be 1 to 200."_s, {{u"field"_s, u"limit"_s}});
    }
    return page;
}

WalletService::Client clientOf(const HttpRequest &request)
{
    return {request.peer.toString(), QString::fromUtf8(request.header("x-device-id").left(128))};
}

const QStringList kWithdrawalStates{u"REJECTED"_s,   u"PENDING_REVIEW"_s, u"APPROVED"_s, u"PROCESSING"_s,
                                    u"SUCCESS"_s,    u"FAILED"_s,         u"INVALID"_s};

} // namespace

void registerWalletRoutes(Router &router, ApiContext &context)
{
    Payments &payments = *context.payments;
    WalletService &wallet = payments.wallet;

    // Balances and statements.
    router.add({"GET", "/v1/app/wallet", kApp, {}, false, false, u"The app user's available and frozen balance"_s,
                u"wallet"_s},
               [&context, &wallet](HttpRequest &request) {
                   return HttpResponse::json(200, wallet.wallet(context.database.threadConnection(), appHolder(request)));
               });
    router.add({"GET", "/v1/app/wallet/entries", kApp, {}, false, false,
                u"The app user's statement, newest first (?before=&limit=)"_s, u"wallet"_s},
               [&context, &wallet](HttpRequest &request) {
                   const Page page = pageOf(request);
                   return HttpResponse::json(200, wallet.entries(context.database.threadConnection(),
                                                                 appHolder(request), page.before, page.limit));
               });
    router.add({"GET", "/v1/merchant/wallet", kMerchant, kMerchantReaders, false, false,
                u"The merchant's settlement balance: available and frozen"_s, u"wallet"_s},
               [&context, &wallet](HttpRequest &request) {
                   return HttpResponse::json(200,
                                             wallet.wallet(context.database.threadConnection(), merchantHolder(request)));
               });
    router.add({"GET", "/v1/merchant/wallet/entries", kMerchant, kMerchantReaders, false, false,
                u"The merchant's statement, newest first (?before=&limit=)"_s, u"wallet"_s},
               [&context, &wallet](HttpRequest &request) {
                   const Page page = pageOf(request);
                   return HttpResponse::json(200, wallet.entries(context.database.threadConnection(),
                                                                 merchantHolder(request), page.before, page.limit));
               });

    // Recharge: an order of kind RECHARGE through the normal prepay path.
    router.addAsync({"POST", "/v1/app/recharges", kApp, {}, true, false,
                     u"Recharge the wallet: an order whose QR code or app parameters the user pays"_s, u"wallet"_s},
                    [&payments, &wallet](HttpRequest &request) {
                        const QJsonObject body = request.jsonObject();
                        const QString userId = request.principal->id;
                        return payments.service.run([&wallet, userId, body] {
                            return HttpResponse::json(201, wallet.recharge(userId, body));
                        });
                    });
    router.add({"GET", "/v1/app/recharges", kApp, {}, false, false, u"The user's recharges, newest first"_s,
                u"wallet"_s},
               [&context, &wallet](HttpRequest &request) {
                   const Page page = pageOf(request);
                   return HttpResponse::json(200, wallet.rechargeList(context.database.threadConnection(),
                                                                      request.principal->id, page.before, page.limit));
               });

    // Transfers between app users.
    RouteSpec transferSpec{"POST", "/v1/app/transfers", kApp, {}, true, true,
                           u"Transfer from the available balance to another user (X-Action-Token, Idempotency-Key)"_s,
                           u"wallet"_s};
    transferSpec.actionPurpose = u"transfer"_s;
    router.addAsync(transferSpec, [&context, &wallet](HttpRequest &request) {
        if (!request.idempotency)
            throw ApiError(ErrorCode::ValidationFailed, u"A transfer needs an Idempotency-Key header."_s);
        const QJsonObject body = request.jsonObject();
        const QString userId = request.principal->id;
        const WalletService::Client client = clientOf(request);
        const std::shared_ptr<IdempotencyContext> idempotency = request.idempotency;
        return context.writer.submit<HttpResponse>([&wallet, body, userId, client, idempotency](const QSqlDatabase &db) {
            return wallet.transfer(db, userId, body, client, idempotency.get());
        });
    });
    router.add({"GET", "/v1/app/transfers", kApp, {}, false, false, u"The user's transfers in and out, newest first"_s,
                u"wallet"_s},
               [&context, &wallet](HttpRequest &request) {
                   const Page page = pageOf(request);
                   return HttpResponse::json(200, wallet.transferList(context.database.threadConnection(),
                                                                      appHolder(request), page.before, page.limit));
               });

    // Bank cards, for app users and merchants.
    const auto cardRoutes = [&](const QByteArray &base, const QList<AuthScheme> &auth, const QList<AuthScheme> &writeAuth,
                                const QList<Role> &readers, const QList<Role> &writers,
                                Holder (*holderOf)(const HttpRequest &)) {
        router.addAsync({"POST", base, writeAuth, writers, false, false,
                         u"Bind a bank card (verified with the bank; only the masked number is ever returned)"_s,
                         u"bank-cards"_s},
                        [&payments, &wallet, holderOf](HttpRequest &request) {
                            const QJsonObject body = request.jsonObject();
                            const Holder holder = holderOf(request);
                            return payments.service.run([&wallet, holder, body] {
                                return HttpResponse::json(201, wallet.bindCard(holder, body));
                            });
                        });
        router.add({"GET", base, auth, readers, false, false, u"Bound bank cards (masked)"_s, u"bank-cards"_s},
                   [&context, &wallet, holderOf](HttpRequest &request) {
                       return HttpResponse::json(
                           200, QJsonObject{{u"items"_s, wallet.cards(context.database.threadConnection(),
                                                                      holderOf(request))}});
                   });
        router.addAsync({"DELETE", base + "/{id}", writeAuth, writers, false, false, u"Unbind a bank card"_s,
                         u"bank-cards"_s},
                        [&payments, &wallet, holderOf](HttpRequest &request) {
                            const Holder holder = holderOf(request);
                            const QString id = request.pathParams.value(u"id"_s);
                            return payments.service.run(
                                [&wallet, holder, id] { return HttpResponse::json(200, wallet.unbindCard(holder, id)); });
                        });
    };
    // Money leaves a merchant only on its admins' word: an API key (a server's credential) reads.
    cardRoutes("/v1/app/bank-cards", kApp, kApp, {}, {}, &appHolder);
    cardRoutes("/v1/merchant/bank-cards", kMerchant, kStaff, kMerchantReaders, kMerchantWriters, &merchantHolder);

    // Withdrawals, for app users and merchants.
    const auto withdrawalRoutes = [&](const QByteArray &base, const QList<AuthScheme> &auth,
                                      const QList<AuthScheme> &writeAuth, const QList<Role> &readers,
                                      const QList<Role> &writers, bool actionToken,
                                      Holder (*holderOf)(const HttpRequest &)) {
        RouteSpec apply{"POST", base, writeAuth, writers, true, actionToken,
                        u"Apply for a withdrawal to a bound card: risk rules, amount frozen, admin review"_s,
                        u"withdrawals"_s};
        if (actionToken)
            apply.actionPurpose = u"withdrawal"_s;
        router.addAsync(apply, [&context, &wallet, holderOf](HttpRequest &request) {
            if (!request.idempotency)
                throw ApiError(ErrorCode::ValidationFailed, u"A withdrawal needs an Idempotency-Key header."_s);
            const QJsonObject body = request.jsonObject();
            const Holder holder = holderOf(request);
            const WalletService::Client client = clientOf(request);
            const std::shared_ptr<IdempotencyContext> idempotency = request.idempotency;
            return context.writer.submit<HttpResponse>(
                [&wallet, body, holder, client, idempotency](const QSqlDatabase &db) {
                    return wallet.applyWithdrawal(db, holder, body, client, idempotency.get());
                });
        });
        router.add({"GET", base, auth, readers, false, false, u"Withdrawals, newest first (?status=&before=&limit=)"_s,
                    u"withdrawals"_s},
                   [&context, &wallet, holderOf](HttpRequest &request) {
                       const Page page = pageOf(request);
                       const QString status = request.queryItems().queryItemValue(u"status"_s);
                       if (!status.isEmpty() && !kWithdrawalStates.contains(status))
                           throw ApiError(ErrorCode::ValidationFailed,
                                          u"status must be one of %1."_s.arg(kWithdrawalStates.join(u", "_s)),
                                          {{u"field"_s, u"status"_s}});
                       return HttpResponse::json(200, wallet.withdrawals(context.database.threadConnection(), status,
                                                                         holderOf(request), page.before, page.limit));
                   });
        router.add({"GET", base + "/{id}", auth, readers, false, false, u"One withdrawal"_s, u"withdrawals"_s},
                   [&context, &wallet, holderOf](HttpRequest &request) {
                       const Holder holder = holderOf(request);
                       const QJsonObject found = wallet.withdrawal(context.database.threadConnection(),
                                                                   request.pathParams.value(u"id"_s));
                       if (found.isEmpty() || found[u"holder_type"_s].toString() != holder.type
                           || found[u"holder_id"_s].toString() != holder.id)
                           throw ApiError(ErrorCode::NotFound, u"No such withdrawal."_s);
                       return HttpResponse::json(200, found);
                   });
    };
    withdrawalRoutes("/v1/app/withdrawals", kApp, kApp, {}, {}, true, &appHolder);
    withdrawalRoutes("/v1/merchant/withdrawals", kMerchant, kStaff, kMerchantReaders, kMerchantWriters, false,
                     &merchantHolder);

    // Review by platform admins.
    const QList<Role> reviewers{Role::PlatformAdmin};
    const QList<Role> reviewReaders{Role::PlatformAdmin, Role::Auditor};
    router.add({"GET", "/v1/admin/withdrawals", kStaff, reviewReaders, false, false,
                u"Withdrawals of every holder (?status=PENDING_REVIEW&holder_type=&holder_id=&before=&limit=)"_s,
                u"withdrawals"_s},
               [&context, &wallet](HttpRequest &request) {
                   const Page page = pageOf(request);
                   const QUrlQuery query = request.queryItems();
                   const QString status = query.queryItemValue(u"status"_s);
                   if (!status.isEmpty() && !kWithdrawalStates.contains(status))
                       throw ApiError(ErrorCode::ValidationFailed,
                                      u"status must be one of %1."_s.arg(kWithdrawalStates.join(u", "_s)),
                                      {{u"field"_s, u"status"_s}});
                   const Holder holder{query.queryItemValue(u"holder_type"_s).left(16),
                                       query.queryItemValue(u"holder_id"_s).left(64)};
                   return HttpResponse::json(200, wallet.withdrawals(context.database.threadConnection(), status,
                                                                     holder, page.before, page.limit));
               });
    router.add({"GET", "/v1/admin/withdrawals/{id}", kStaff, reviewReaders, false, false,
                u"One withdrawal with its risk decisions"_s, u"withdrawals"_s},
               [&context, &wallet](HttpRequest &request) {
                   const QJsonObject found
                       = wallet.withdrawal(context.database.threadConnection(), request.pathParams.value(u"id"_s));
                   if (found.isEmpty())
                       throw ApiError(ErrorCode::NotFound, u"No such withdrawal."_s);
                   return HttpResponse::json(200, found);
               });
    for (const bool approve : {true, false}) {
        router.addAsync({"POST", approve ? "/v1/admin/withdrawals/{id}/approve" : "/v1/admin/withdrawals/{id}/reject",
                         kStaff, reviewers, false, false,
                         approve ? u"Approve a withdrawal (two different admins at or above the four-eyes threshold)"_s
                                 : u"Reject a withdrawal with a reason: the amount is unfrozen, the withdrawal INVALID"_s,
                         u"withdrawals"_s},
                        [&context, &wallet, approve](HttpRequest &request) {
                            const QJsonObject body = request.body.isEmpty() ? QJsonObject() : request.jsonObject();
                            const QJsonValue reasonValue = body.value(u"reason"_s);
                            if (!reasonValue.isUndefined() && (!reasonValue.isString() || reasonValue.toString().size() > 200))
                                throw ApiError(ErrorCode::ValidationFailed, u"reason is text of at most 200 characters."_s,
                                               {{u"field"_s, u"reason"_s}});
                            const QString reason = reasonValue.toString();
                            const QString id = request.pathParams.value(u"id"_s);
                            const QString adminId = request.principal->id;
                            return context.writer
                                .submit<HttpResponse>([&wallet, approve, id, adminId, reason](const QSqlDatabase &db) {
                                    return HttpResponse::json(200, approve ? wallet.approveWithdrawal(db, id, adminId, reason)
                                                                           : wallet.rejectWithdrawal(db, id, adminId, reason));
                                })
                                .then(QtFuture::Launch::Sync, [&wallet](HttpResponse response) {
                                    wallet.wakeJobs();
                                    return response;
                                });
                        });
    }

    // Risk rules.
    router.add({"GET", "/v1/admin/risk-rules", kStaff, reviewReaders, false, false, u"The risk rules"_s, u"risk"_s},
               [&context](HttpRequest &) {
                   return HttpResponse::json(
                       200, QJsonObject{{u"rules"_s, RiskEngine::rules(context.database.threadConnection())}});
               });
    router.addAsync({"PUT", "/v1/admin/risk-rules", kStaff, reviewers, false, false,
                     u"Replace the risk rules (all validated first; effective at once; audited)"_s, u"risk"_s},
                    [&context](HttpRequest &request) {
                        const QJsonObject body = request.jsonObject();
                        if (!body.value(u"rules"_s).isArray())
                            throw ApiError(ErrorCode::ValidationFailed, u"rules is a list of rules."_s,
                                           {{u"field"_s, u"rules"_s}});
                        const QJsonArray input = body.value(u"rules"_s).toArray();
                        const HttpRequest copy = request;
                        const qint64 now = context.clock();
                        FieldCipher *cipher = &context.cipher;
                        return context.writer.submit<HttpResponse>([input, copy, now, cipher](const QSqlDatabase &db) {
                            const QJsonArray before = RiskEngine::rules(db);
                            const QJsonArray after = RiskEngine::replaceRules(
                                db, input, copy.principal->id,
                                [cipher](const QString &cardNo) {
                                    QString digits = cardNo;
                                    digits.remove(u' ').remove(u'-');
                                    return cipher->lookupHash(u"bank_cards.card_no"_s, digits);
                                },
                                now);
                            AuditLog::append(db, auditEntryFor(copy, now, u"risk_rules.replaced"_s, u"risk_rules"_s,
                                                               u"-"_s,
                                                               {{u"before"_s, before.size()}, {u"after"_s, after}}));
                            return HttpResponse::json(200, QJsonObject{{u"rules"_s, after}});
                        });
                    });

    // Consistency check of every wallet.
    router.add({"GET", "/v1/admin/wallet-check", kStaff, reviewReaders, false, false,
                u"Per-holder consistency check: balances explained by recharges, income, transfers, withdrawals"_s,
                u"wallet"_s},
               [&context](HttpRequest &) {
                   const WalletService::Check check = WalletService::check(context.database.threadConnection());
                   return HttpResponse::json(200, QJsonObject{{u"ok"_s, check.ok},
                                                              {u"holders"_s, check.holders},
                                                              {u"problems"_s, QJsonArray::fromStringList(check.problems)}});
               });

    // Payout providers' asynchronous results, at /notify/<type>/<channel id> like the payment channels.
    for (const QByteArray &type : {QByteArrayLiteral("bankpay"), QByteArrayLiteral("wechat_transfer")}) {
        router.addAsync({"POST", "/notify/" + type + "/{channel_id}", {}, {}, false, false,
                         u"Payout results from %1 (the provider's own signature)"_s.arg(QString::fromLatin1(type)),
                         u"callbacks"_s},
                        [&payments, &wallet](HttpRequest &request) {
                            const HttpRequest copy = request;
                            const QString channelId = request.pathParams.value(u"channel_id"_s);
                            return payments.service.run([&wallet, channelId, copy] {
                                return wallet.handlePayoutNotification(channelId, copy);
                            });
                        });
    }
}

} // namespace paydesk
