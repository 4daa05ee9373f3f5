#pragma once

#include "server/auth/SecurityConfig.h"

class QThreadPool;

namespace paydesk {

class ApiKeyService;
class Database;
class DbWriter;
class FieldCipher;
class IdGenerator;
class RequestAuthenticator;
class StaffAuthService;

/// The parts route handlers work with, wired once by ServerApp (tests wire their own).
struct ApiContext
{
    Database &database;
    DbWriter &writer;
    FieldCipher &cipher;
    IdGenerator &merchantIds;
    IdGenerator &staffIds;
    StaffAuthService &staffAuth;
    ApiKeyService &apiKeys;
    Clock clock;
    const SecurityConfig &security;
    struct Payments *payments = nullptr; ///< the payment flows (absent in tests that do not need them)
};

} // namespace paydesk
