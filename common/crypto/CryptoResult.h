#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace paydesk {

/// A value or a human-readable reason why there is none, returned by every fallible crypto and
/// signing helper that a caller may want to log (key loading, signing, protocol parsing).
template<typename T> class CryptoResult final
{
public:
    static CryptoResult success(T value) { return CryptoResult(std::move(value), QString()); }
    static CryptoResult failure(QString error)
    {
        // An empty message would make a failure look like a success in logs; always say something.
        if (error.isEmpty())
            error = QStringLiteral("unknown error");
        return CryptoResult(std::nullopt, std::move(error));
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }

    /// The value; only call when ok().
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T &operator*() const & { return *m_value; }
    const T *operator->() const { return &*m_value; }

    /// Why there is no value; empty when ok().
    const QString &error() const { return m_error; }

    /// The value as a std::optional, dropping the error text.
    std::optional<T> toOptional() const & { return m_value; }

private:
    CryptoResult(std::optional<T> value, QString error) : m_value(std::move(value)), m_error(std::move(error)) { }

    std::optional<T> m_value;
    QString m_error;
};

} // namespace paydesk
